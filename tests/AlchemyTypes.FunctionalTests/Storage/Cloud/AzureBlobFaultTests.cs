using AlchemyTypes.Storage;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Testing;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>
/// What the Azure backend leaves behind when the service dies mid-upload or the caller cancels, against an Azurite of
/// the test's own that it kills and restarts. The SDK's retries are off, so the failure reaches the backend at once.
/// </summary>
public sealed class AzureBlobFaultTests : IAsyncLifetime
{
    private const int BlockSize = 1024 * 1024;
    private readonly RecordedRequests _log = new();
    private RestartableServer? _server;
    private HttpClient? _http;
    private BlobContainerClient? _container;

    private RestartableServer Server => _server!;

    private BlobContainerClient Container => _container!;

    public async Task InitializeAsync()
    {
        _server = await RestartableServer.StartAzuriteAsync();
        _http = new HttpClient(_log.Handler(), disposeHandler: true);
        var options = new BlobClientOptions { Transport = new HttpClientTransport(_http) };
        options.Retry.MaxRetries = 0;
        var connectionString = TestServerClients.AzuriteConnectionString(Server.Port);
        _container = new BlobServiceClient(connectionString, options).GetBlobContainerClient(AzuriteFixtureNames.NewContainerName());
        await _container.CreateAsync();
        Server.WaitUntilPersisted(_container.Name);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _http?.Dispose();
    }

    [Promise("P-CLOUD-02", "P-CLOUD-05")]
    [Fact]
    public async Task Service_killed_mid_block_upload_fails_with_a_typed_error_and_leaves_no_blob_nor_uncommitted_blocks_once_back()
    {
        using var backend = NewBackend();
        Task? restart = null;
        var source = new CallbackStream(new GeneratedStream(12L * BlockSize), afterBytes: 5L * BlockSize + 1, callback: () =>
        {
            // Let Azurite save the staged blocks first: after the restart they exist unless the backend discards them.
            Server.WaitUntilPersisted("fault/killed.bin");
            Server.Kill();
            restart = Task.Run(async () =>
            {
                await Task.Delay(1500);
                await Server.StartAsync();
            });
        });

        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(() => backend.UploadAsync("fault/killed.bin", source));
        Assert.True(error.IsTransient, error.Message);
        Assert.Equal("fault/killed.bin", error.Key);
        Assert.NotNull(restart);
        await restart;

        Assert.False(await backend.ExistsAsync("fault/killed.bin"));
        await AssertNoUncommittedBlocksAsync("fault/killed.bin");
    }

    [Promise("P-CLOUD-02", "P-CLOUD-05", "P-CLOUD-10")]
    [Fact]
    public async Task Cancellation_mid_block_upload_leaves_no_blob_nor_uncommitted_blocks()
    {
        using var backend = NewBackend();
        using var cts = new CancellationTokenSource();
        var source = new CallbackStream(new GeneratedStream(12L * BlockSize), afterBytes: 5L * BlockSize + 1, callback: cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.UploadAsync("fault/cancelled.bin", source, cancellationToken: cts.Token));

        Assert.False(await backend.ExistsAsync("fault/cancelled.bin"));
        await AssertNoUncommittedBlocksAsync("fault/cancelled.bin");
    }

    private AzureBlobStorageBackend NewBackend()
        => new(Container, new AzureBlobStorageOptions { TransferSize = BlockSize, MaxConcurrency = 2, CleanupTimeout = TimeSpan.FromSeconds(60) });

    private Task AssertNoUncommittedBlocksAsync(string name) => UploadLeftovers.AssertNoAzureBlocksAsync(Container, _log, name);
}

internal static class AzuriteFixtureNames
{
    public static string NewContainerName() => TestUtilities.AzuriteFixture.NewContainerName();
}
