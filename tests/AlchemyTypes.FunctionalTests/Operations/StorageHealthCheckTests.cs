using System.Net;
using System.Net.Sockets;
using AlchemyTypes.AspNetCore.HealthChecks;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.S3;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlchemyTypes.FunctionalTests.Operations;

/// <summary>The storage health check against real servers: s3rver and Azurite running, a port with nothing behind it, a server that never answers.</summary>
[Collection(PostgresCloudCollection.Name)]
public sealed class StorageHealthCheckTests(S3ServerFixture s3, AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Check = AlchemyTypesHealthChecksBuilderExtensions.StorageCheckName;
    private readonly IAmazonS3 _s3Client = s3.CreateClient();
    private readonly string _localRoot = TestEnvironment.CreateTempDirectory("alchemytypes-health");
    private TestDatabase _database = null!;
    private string _bucket = "";
    private BlobContainerClient _container = null!;

    public async Task InitializeAsync()
    {
        _database = await new SqliteTestStore().CreateDatabaseAsync();
        _bucket = await S3TestBuckets.CreateAsync(_s3Client);
        _container = azurite.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await S3TestBuckets.DeleteAsync(_s3Client, _bucket);
        await _container.DeleteIfExistsAsync();
        _s3Client.Dispose();
        Directory.Delete(_localRoot, recursive: true);
    }

    [Fact]
    [Promise("P-OPS-05")]
    public async Task Every_backend_reachable_is_healthy_with_each_backend_named_in_the_data()
    {
        await using var services = HealthCheckHost.Build(
            _database,
            [("s3", new S3StorageBackend(_s3Client, S3TestBuckets.Options(s3, _bucket))), ("azure", new AzureBlobStorageBackend(_container)),
                ("local", new LocalFileSystemStorageBackend(_localRoot))],
            h => h.AddAlchemyTypesStorage<OpsContext>());

        var entry = await HealthCheckHost.RunAsync(services, Check);

        Assert.True(entry.Status == HealthStatus.Healthy, entry.Description);
        Assert.Equal("S3StorageBackend: reachable", entry.Data["s3"]);
        Assert.Equal("AzureBlobStorageBackend: reachable", entry.Data["azure"]);
        Assert.Equal("LocalFileSystemStorageBackend: reachable", entry.Data["local"]);
        Assert.Empty(await S3TestBuckets.ListKeysAsync(_s3Client, _bucket));
        Assert.Empty(_container.GetBlobs());
    }

    [Fact]
    [Promise("P-OPS-05")]
    public async Task A_backend_on_a_port_with_nothing_listening_is_unhealthy_and_named_while_the_others_are_reported_reachable()
    {
        var deadPort = TestEnvironment.GetFreePort();
        using var deadS3 = TestServerClients.S3rver(deadPort, c => c.MaxErrorRetry = 0);
        var deadAzure = new BlobContainerClient(
            TestServerClients.AzuriteConnectionString(TestEnvironment.GetFreePort()), "gone",
            new BlobClientOptions { Retry = { MaxRetries = 0 } });
        await using var services = HealthCheckHost.Build(
            _database,
            [("files", new S3StorageBackend(_s3Client, S3TestBuckets.Options(s3, _bucket))), ("old-s3", new S3StorageBackend(deadS3, new S3StorageOptions
                { BucketName = "gone", UseChunkEncoding = false })), ("old-azure", new AzureBlobStorageBackend(deadAzure))],
            h => h.AddAlchemyTypesStorage<OpsContext>(o => o.Timeout = TimeSpan.FromSeconds(20)));

        var entry = await HealthCheckHost.RunAsync(services, Check);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("storage backend 'old-s3' (S3StorageBackend) is unreachable", entry.Description, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("storage backend 'old-azure' (AzureBlobStorageBackend) is unreachable", entry.Description, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("'files'", entry.Description, StringComparison.Ordinal);
        Assert.Equal("S3StorageBackend: reachable", entry.Data["files"]);
        Assert.StartsWith("S3StorageBackend: unreachable (", (string)entry.Data["old-s3"], StringComparison.Ordinal);
        Assert.DoesNotContain("no answer within", (string)entry.Data["old-s3"], StringComparison.Ordinal);
    }

    [Fact]
    [Promise("P-OPS-05")]
    public async Task A_server_that_accepts_connections_and_never_answers_is_unhealthy_after_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(backlog: 16);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var client = TestServerClients.S3rver(port, c => c.Timeout = TimeSpan.FromMinutes(5));
        await using var services = HealthCheckHost.Build(
            _database,
            [("silent", new S3StorageBackend(client, new S3StorageOptions { BucketName = "silent", UseChunkEncoding = false }))],
            h => h.AddAlchemyTypesStorage<OpsContext>(o => o.Timeout = TimeSpan.FromSeconds(1)));

        var entry = await HealthCheckHost.RunAsync(services, Check);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Storage backend 'silent' (S3StorageBackend) is unreachable: no answer within 1 s.", entry.Description);
    }

    [Fact]
    [Promise("P-OPS-05")]
    public async Task The_registry_from_dependency_injection_is_probed_and_the_failure_status_is_the_registrations()
    {
        var deadPort = TestEnvironment.GetFreePort();
        using var deadS3 = TestServerClients.S3rver(deadPort, c => c.MaxErrorRetry = 0);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new StorageRegistry(
            [new("files", new LocalFileSystemStorageBackend(_localRoot)),
                new("archive", new S3StorageBackend(deadS3, new S3StorageOptions { BucketName = "x" }))]));
        services.AddHealthChecks()
            .AddAlchemyTypesStorage(o => o.Backends = ["files"], name: "files-only")
            .AddAlchemyTypesStorage(name: "all", failureStatus: HealthStatus.Degraded, tags: ["ready"]);
        await using var provider = services.BuildServiceProvider();

        var filesOnly = await HealthCheckHost.RunAsync(provider, "files-only");
        var all = await HealthCheckHost.RunAsync(provider, "all");

        Assert.Equal(HealthStatus.Healthy, filesOnly.Status);
        Assert.Equal(new[] { "files" }, filesOnly.Data.Keys);
        Assert.Equal(HealthStatus.Degraded, all.Status);
        Assert.Contains("'archive'", all.Description, StringComparison.Ordinal);
        Assert.Equal(new[] { "ready" }, all.Tags);
    }

    [Fact]
    [Promise("P-OPS-07")]
    public async Task Without_storage_configured_the_check_fails_saying_what_to_register_and_bad_options_throw_at_registration()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddAlchemyTypesStorage();
        await using (var provider = services.BuildServiceProvider())
        {
            var entry = await HealthCheckHost.RunAsync(provider, Check);
            Assert.Equal(HealthStatus.Unhealthy, entry.Status);
            Assert.Contains("services.AddAlchemyTypesStorage(configuration)", entry.Description, StringComparison.Ordinal);
        }

        var builder = new ServiceCollection().AddHealthChecks();
        var timeout = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddAlchemyTypesStorage(o => o.Timeout = TimeSpan.Zero));
        Assert.Equal(nameof(StorageHealthCheckOptions.Timeout), timeout.ParamName);
        var empty = Assert.Throws<ArgumentException>(() => builder.AddAlchemyTypesStorage(o => o.Backends = []));
        Assert.Equal(nameof(StorageHealthCheckOptions.Backends), empty.ParamName);
        var badName = Assert.Throws<ArgumentException>(() => builder.AddAlchemyTypesStorage(o => o.Backends = ["no spaces allowed"]));
        Assert.Contains("not a valid storage backend name", badName.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.AddAlchemyTypesStorage(name: " "));
    }
}
