using System.Diagnostics;
using System.Text.RegularExpressions;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.S3;
using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Integrity;

/// <summary>
/// SaveChanges through <see cref="FaultProxy"/> (real sockets on loopback) between the SDK and the storage server, with the
/// SDK's default retries: corrupted bodies, connections reset mid-body, 503/500 answers and a store that never answers.
/// Each save fails fast with a typed error or succeeds after retries, within the documented budget; afterwards no row points
/// at a missing object and no object is left that no row points at. Subclassed per storage service.
/// </summary>
public abstract partial class FaultProxyTests : IAsyncLifetime
{
    /// <summary>
    /// The request timeout the backends get here (the default is 30 s). It spans the SDK's retries of one request, so it must
    /// exceed their back-off (Azure: 0.8 s, 1.6 s, 3.2 s before its three retries).
    /// </summary>
    protected static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private TestDatabase? _database;

    protected FaultProxy Proxy { get; private set; } = null!;

    protected IStorageBackend Backend { get; private set; } = null!;

    /// <summary>Whether the server is local (external servers are not proxied).</summary>
    protected abstract bool IsLocal { get; }

    protected abstract int UpstreamPort { get; }

    /// <summary>The error code a throttling answer carries.</summary>
    protected abstract string BusyCode { get; }

    public async Task InitializeAsync()
    {
        if (!IsLocal)
        {
            return;
        }

        Proxy = new FaultProxy(UpstreamPort);
        Backend = await CreateBackendAsync(Proxy.Port);
        _database = await new SqliteTestStore().CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        if (!IsLocal)
        {
            return;
        }

        await Proxy.DisposeAsync();
        (Backend as IDisposable)?.Dispose();
        await DisposeStoreAsync();
        await _database!.DisposeAsync();
    }

    /// <summary>A backend reaching the store through the proxy on <paramref name="proxyPort"/>, with <see cref="RequestTimeout"/>.</summary>
    protected abstract Task<IStorageBackend> CreateBackendAsync(int proxyPort);

    /// <summary>Every key in the bucket or container, read straight from the server.</summary>
    protected abstract Task<List<string>> ListKeysDirectAsync();

    protected abstract Task DisposeStoreAsync();

    private LifecycleContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<LifecycleContext>();
        _database!.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", Backend).AddStorage("secondary", new InMemoryStorageBackend()));
        return new LifecycleContext(builder.Options);
    }

    private async Task<(Exception? Error, TimeSpan Took, byte[] Content)> SaveAsync(string name)
    {
        var content = IntegrityContent.RandomBytes(2 * 1024 * 1024 + name.Length);
        await using var context = CreateContext();
        context.Add(new Document { Name = name, File = FileObject.FromStream(new MemoryStream(content), name + ".bin") });
        var clock = Stopwatch.StartNew();
        try
        {
            await context.SaveChangesAsync();
            return (null, clock.Elapsed, content);
        }
        catch (Exception ex)
        {
            return (ex, clock.Elapsed, content);
        }
    }

    /// <summary>Every row's file exists with the bytes saved; every object belongs to a row.</summary>
    private async Task AssertConsistentAsync(Dictionary<string, byte[]> saved)
    {
        Proxy.Fault = ProxyFault.None;
        await using var context = CreateContext();
        var documents = await context.Documents.ToListAsync();
        Assert.Equal(saved.Keys.Order(), documents.Select(d => d.Name).Order());
        foreach (var document in documents)
        {
            await using var stream = await Backend.OpenReadAsync(document.File!.Key);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(saved[document.Name], copy.ToArray());
        }

        Assert.Equal(documents.Select(d => d.File!.Key).Order(), (await ListKeysDirectAsync()).Order());
    }

    [Fact]
    [Promise("P-FAULT-01")]
    public async Task A_store_that_never_answers_fails_the_save_within_the_request_timeout_with_a_transient_error()
    {
        if (!IsLocal)
        {
            return;
        }

        Proxy.Fault = ProxyFault.Stall;
        var (error, took, _) = await SaveAsync("stalled");
        var failure = Assert.IsType<StorageRequestFailedException>(Assert.IsType<FileStorageException>(error).InnerException);
        Assert.True(failure.IsTransient);
        Assert.Contains("timed out", failure.Message, StringComparison.Ordinal);
        Assert.True(took < RequestTimeout * 4, $"took {took.TotalSeconds:0.0} s");
        await AssertConsistentAsync([]);
    }

    [Theory]
    [Promise("P-FAULT-02")]
    [InlineData(503)]
    [InlineData(500)]
    public async Task Two_busy_or_failing_answers_are_retried_and_the_save_succeeds(int status)
    {
        if (!IsLocal)
        {
            return;
        }

        Proxy.Fault = ProxyFault.Answer;
        Proxy.Status = status;
        Proxy.ErrorCode = status == 503 ? BusyCode : "InternalError";
        Proxy.FaultBudget = 2;
        var (error, _, content) = await SaveAsync("busy");
        Assert.Null(error);
        Assert.Equal(2, Proxy.Faulted);
        await AssertConsistentAsync(new() { ["busy"] = content });
    }

    [Fact]
    [Promise("P-FAULT-03")]
    public async Task A_store_that_keeps_failing_fails_the_save_with_a_transient_error_once_the_retries_are_spent()
    {
        if (!IsLocal)
        {
            return;
        }

        Proxy.Fault = ProxyFault.Answer;
        Proxy.Status = 503;
        Proxy.ErrorCode = BusyCode;
        var (error, took, _) = await SaveAsync("failing");
        var failure = Assert.IsType<StorageRequestFailedException>(Assert.IsType<FileStorageException>(error).InnerException);
        // The SDK's retries end in the store's 503, or, when their back-off outlasts the request timeout, in "timed out".
        Assert.True(failure.IsTransient);
        Assert.True(failure.StatusCode is 503 or null, failure.Message);
        Assert.True(Proxy.Faulted > 1, "the SDK retried");
        Assert.True(took < RequestTimeout * 3, $"took {took.TotalSeconds:0.0} s");
        await AssertConsistentAsync([]);
    }

    [Fact]
    [Promise("P-FAULT-04")]
    public async Task A_body_corrupted_on_the_wire_fails_the_save_with_StorageIntegrityException()
    {
        if (!IsLocal)
        {
            return;
        }

        Proxy.Fault = ProxyFault.CorruptBody;
        var (error, _, _) = await SaveAsync("corrupted");
        Assert.IsType<StorageIntegrityException>(Assert.IsType<FileStorageException>(error).InnerException);
        Assert.True(Proxy.Faulted > 0);
        await AssertConsistentAsync([]);
    }

    [Fact]
    [Promise("P-FAULT-05")]
    public async Task A_connection_reset_mid_body_is_retried_or_fails_typed_and_never_leaves_a_row_without_its_object_or_an_orphan()
    {
        if (!IsLocal)
        {
            return;
        }

        Proxy.Fault = ProxyFault.ResetMidBody;
        Proxy.FaultBudget = 1;
        var (error, _, content) = await SaveAsync("reset");
        Assert.Equal(1, Proxy.Faulted);
        if (error is null)
        {
            await AssertConsistentAsync(new() { ["reset"] = content });
        }
        else
        {
            var failure = Assert.IsType<StorageRequestFailedException>(Assert.IsType<FileStorageException>(error).InnerException);
            Assert.True(failure.IsTransient);
            await AssertConsistentAsync([]);
        }
    }

    [GeneratedRegex(@"127\.0\.0\.1:(\d+)")]
    protected static partial Regex LoopbackPort();
}

[Collection(S3Collection.Name)]
public sealed class S3FaultProxyTests(S3ServerFixture server) : FaultProxyTests
{
    private IAmazonS3? _client;
    private IAmazonS3? _direct;
    private string _bucket = "";

    protected override bool IsLocal => !server.IsExternal;

    protected override int UpstreamPort => int.Parse(LoopbackPort().Match(server.ServiceUrl).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    protected override string BusyCode => "SlowDown";

    protected override async Task<IStorageBackend> CreateBackendAsync(int proxyPort)
    {
        _direct = server.CreateClient();
        _bucket = await S3TestBuckets.CreateAsync(_direct);
        _client = TestServerClients.S3rver(proxyPort); // the SDK's default retries
        var options = S3TestBuckets.Options(server, _bucket);
        options.RequestTimeout = RequestTimeout;
        return new S3StorageBackend(_client, options);
    }

    protected override Task<List<string>> ListKeysDirectAsync() => S3TestBuckets.ListKeysAsync(_direct!, _bucket);

    protected override async Task DisposeStoreAsync()
    {
        await S3TestBuckets.DeleteAsync(_direct!, _bucket);
        _client?.Dispose();
        _direct?.Dispose();
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureFaultProxyTests(AzuriteFixture azurite) : FaultProxyTests
{
    private BlobContainerClient? _direct;

    protected override bool IsLocal => !azurite.IsExternal;

    protected override int UpstreamPort => int.Parse(LoopbackPort().Match(azurite.ConnectionString).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    protected override string BusyCode => "ServerBusy";

    protected override async Task<IStorageBackend> CreateBackendAsync(int proxyPort)
    {
        var name = AzuriteFixture.NewContainerName();
        _direct = azurite.CreateServiceClient().GetBlobContainerClient(name);
        await _direct.CreateAsync();
        var proxied = new BlobServiceClient(TestServerClients.AzuriteConnectionString(proxyPort)).GetBlobContainerClient(name); // default retries
        return new AzureBlobStorageBackend(proxied, new AzureBlobStorageOptions { RequestTimeout = RequestTimeout });
    }

    protected override Task<List<string>> ListKeysDirectAsync() => IntegrityContent.BlobNamesAsync(_direct!);

    protected override async Task DisposeStoreAsync() => await _direct!.DeleteIfExistsAsync();

    /// <summary>
    /// A measurement, not a check (runs only with ALCHEMYTYPES_MEASURE_UNREACHABLE=1): how long one upload takes to fail with
    /// Azure unreachable, behind a black hole (the proxy stalls) and with the port closed, with the SDK's default retries, with
    /// no request timeout (the SDK's own limits, as before) and with the default 30 s. Appends to /tmp/azure-unreachable.txt.
    /// </summary>
    [Fact]
    public async Task Measure_time_to_fail_with_Azure_unreachable()
    {
        if (Environment.GetEnvironmentVariable("ALCHEMYTYPES_MEASURE_UNREACHABLE") != "1" || !IsLocal)
        {
            return;
        }

        var closedPort = TestEnvironment.GetFreePort();
        foreach (var (what, port) in new[] { ("black hole", Proxy.Port), ("port closed", closedPort) })
        {
            foreach (var timeout in Environment.GetEnvironmentVariable("ALCHEMYTYPES_MEASURE_BEFORE") == "1"
                ? new[] { Timeout.InfiniteTimeSpan } : new[] { TimeSpan.FromSeconds(30) })
            {
                Proxy.Fault = ProxyFault.Stall;
                var container = new BlobServiceClient(TestServerClients.AzuriteConnectionString(port)).GetBlobContainerClient("measure");
                var backend = new AzureBlobStorageBackend(container, new AzureBlobStorageOptions { RequestTimeout = timeout });
                var clock = Stopwatch.StartNew();
                string outcome;
                try
                {
                    await backend.UploadAsync("m.bin", new MemoryStream(new byte[1024]));
                    outcome = "succeeded";
                }
                catch (Exception ex)
                {
                    outcome = ex.GetType().Name;
                }

                await File.AppendAllTextAsync("/tmp/azure-unreachable.txt",
                    $"{what}, RequestTimeout {(timeout == Timeout.InfiniteTimeSpan ? "none (SDK defaults)" : timeout.TotalSeconds + " s")}: "
                    + $"{outcome} after {clock.Elapsed.TotalSeconds:0.0} s\n");
            }
        }
    }
}
