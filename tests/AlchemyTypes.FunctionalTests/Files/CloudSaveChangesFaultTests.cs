using AlchemyTypes.FunctionalTests.Storage;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using Amazon.S3;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// SaveChanges while the storage server dies mid-upload, or while the caller cancels, with PostgreSQL: the save fails
/// (with a typed error, or as cancelled), no row is written, and once the server is back no object and no part of one is
/// left. Each test class runs a storage server of its own that it kills and restarts; the SDK's retries are off so that
/// the failure reaches the backend at once. Subclassed per storage service.
/// </summary>
public abstract class CloudSaveChangesFaultTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private readonly InMemoryStorageBackend _secondary = new();
    private RestartableServer? _server;
    private IStorageBackend? _backend;
    private TestDatabase? _database;

    protected RecordedRequests Log { get; } = new();

    protected RestartableServer Server => _server ?? throw new InvalidOperationException("Not initialised.");

    private IStorageBackend Backend => _backend ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>How many bytes the generated file has: several parts or blocks.</summary>
    protected abstract long UploadSize { get; }

    /// <summary>After how many bytes read from the file the server is killed or the save cancelled: parts or blocks are in flight or stored by then.</summary>
    protected abstract long InterruptAfterBytes { get; }

    public async Task InitializeAsync()
    {
        _server = await StartServerAsync();
        _backend = await CreateBackendAsync();
        _database = await new PostgresTestStore(postgres).CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        (_backend as IDisposable)?.Dispose();
        await DisposeClientsAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    protected abstract Task<RestartableServer> StartServerAsync();

    /// <summary>A backend on <see cref="Server"/> whose requests are recorded in <see cref="Log"/>, in a bucket or container of its own.</summary>
    protected abstract Task<IStorageBackend> CreateBackendAsync();

    protected abstract ValueTask DisposeClientsAsync();

    /// <summary>Runs just before the kill, on the thread reading the file (Azurite: wait until the staged blocks are saved).</summary>
    protected virtual void BeforeKill(string key)
    {
    }

    /// <summary>Asserts that no part of an upload of <paramref name="key"/> is left (incomplete multipart upload, uncommitted blocks).</summary>
    protected abstract Task AssertNoPartialUploadAsync(string key, string? errorMessage);

    private LifecycleContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<LifecycleContext>();
        _database!.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", Backend).AddStorage("secondary", _secondary));
        return new LifecycleContext(builder.Options);
    }

    private async Task AssertNoRowsAsync()
    {
        await using var context = CreateContext();
        Assert.Equal(0, await context.Documents.CountAsync());
        Assert.Equal(0, await context.Set<PendingStorageDelete>().CountAsync());
    }

    [Fact]
    public async Task Server_killed_mid_upload_fails_SaveChanges_with_a_typed_error_and_leaves_no_row_and_no_object_once_back()
    {
        Task? restart = null;
        FileObject? file = null;
        var source = new CallbackStream(new GeneratedStream(UploadSize), InterruptAfterBytes, () =>
        {
            BeforeKill(file!.Key);
            Server.Kill();
            restart = Task.Run(async () =>
            {
                await Task.Delay(1500);
                await Server.StartAsync();
            });
        });
        file = FileObject.FromStream(source, "killed.bin");

        StorageRequestFailedException failure;
        await using (var context = CreateContext())
        {
            context.Add(new Document { Name = "killed", File = file });
            var error = await Assert.ThrowsAsync<FileStorageException>(() => context.SaveChangesAsync());
            Assert.Equal("Document.File", error.Property);
            Assert.Contains("killed.bin", error.Message, StringComparison.Ordinal);
            failure = Assert.IsType<StorageRequestFailedException>(error.InnerException);
            Assert.True(failure.IsTransient, failure.Message);
            Assert.Equal(file.Key, failure.Key);
        }

        Assert.NotNull(restart);
        await restart;
        await AssertNoRowsAsync();
        Assert.False(await Backend.ExistsAsync(file.Key));
        await AssertNoPartialUploadAsync(file.Key, failure.Message);
    }

    [Fact]
    public async Task Cancellation_mid_upload_stops_SaveChanges_and_leaves_no_row_and_no_object()
    {
        using var cts = new CancellationTokenSource();
        var file = FileObject.FromStream(new CallbackStream(new GeneratedStream(UploadSize), InterruptAfterBytes, cts.Cancel), "cancelled.bin");
        await using (var context = CreateContext())
        {
            context.Add(new Document { Name = "cancelled", File = file });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.SaveChangesAsync(cts.Token));
        }

        await AssertNoRowsAsync();
        Assert.False(await Backend.ExistsAsync(file.Key));
        await AssertNoPartialUploadAsync(file.Key, errorMessage: null);
    }
}

/// <summary>
/// The SaveChanges faults on s3rver: 40 MiB in 5 MiB parts, interrupted after two parts. s3rver can neither list nor abort
/// multipart uploads, so there the checks are that the object does not exist (HEAD and listing), that the backend sent the
/// abort for the upload it started and that it reached the restarted server, and that the error names the upload id.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class S3SaveChangesFaultTests(PostgresServerFixture postgres) : CloudSaveChangesFaultTests(postgres)
{
    private const int PartSize = S3StorageOptions.MinimumPartSize;
    private IAmazonS3? _client;
    private string _bucket = "";

    protected override long UploadSize => 8L * PartSize;

    protected override long InterruptAfterBytes => 2L * PartSize + 1;

    private IAmazonS3 Client => _client ?? throw new InvalidOperationException("Not initialised.");

    protected override Task<RestartableServer> StartServerAsync() => RestartableServer.StartS3rverAsync();

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _client = TestServerClients.S3rver(Server.Port, config =>
        {
            config.MaxErrorRetry = 0;
            config.HttpClientFactory = Log.AwsFactory();
        });
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, new S3StorageOptions { BucketName = _bucket, PartSize = PartSize, UseChunkEncoding = false,
            UseConditionalWrites = false, AbortTimeout = TimeSpan.FromSeconds(60) });
    }

    protected override ValueTask DisposeClientsAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override async Task AssertNoPartialUploadAsync(string key, string? errorMessage)
    {
        Assert.DoesNotContain(key, await S3TestBuckets.ListKeysAsync(Client, _bucket));
        await UploadLeftovers.AssertNoIncompleteS3UploadAsync(Client, _bucket, Log, key, errorMessage);
    }
}

/// <summary>The SaveChanges faults on Azurite: 12 MiB in 1 MiB blocks, two in flight, interrupted after five; no blob and no uncommitted
/// block may be left.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AzureSaveChangesFaultTests(PostgresServerFixture postgres) : CloudSaveChangesFaultTests(postgres)
{
    private const int BlockSize = 1024 * 1024;
    private HttpClient? _http;
    private BlobContainerClient? _container;

    protected override long UploadSize => 12L * BlockSize;

    protected override long InterruptAfterBytes => 5L * BlockSize + 1;

    protected override Task<RestartableServer> StartServerAsync() => RestartableServer.StartAzuriteAsync();

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _http = new HttpClient(Log.Handler(), disposeHandler: true);
        var options = new BlobClientOptions { Transport = new HttpClientTransport(_http) };
        options.Retry.MaxRetries = 0;
        var connectionString = TestServerClients.AzuriteConnectionString(Server.Port);
        _container = new BlobServiceClient(connectionString, options).GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
        Server.WaitUntilPersisted(_container.Name);
        return new AzureBlobStorageBackend(_container, new AzureBlobStorageOptions { TransferSize = BlockSize, MaxConcurrency = 2,
            CleanupTimeout = TimeSpan.FromSeconds(60) });
    }

    protected override ValueTask DisposeClientsAsync()
    {
        _http?.Dispose();
        return ValueTask.CompletedTask;
    }

    // Let Azurite save the staged blocks first: after the restart they exist unless the backend discards them.
    protected override void BeforeKill(string key) => Server.WaitUntilPersisted(key);

    protected override Task AssertNoPartialUploadAsync(string key, string? errorMessage)
        => UploadLeftovers.AssertNoAzureBlocksAsync(_container!, Log, key);
}
