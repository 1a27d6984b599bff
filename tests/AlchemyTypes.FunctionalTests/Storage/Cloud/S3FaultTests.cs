using AlchemyTypes.Storage;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.Runtime;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Amazon.S3;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>
/// What the S3 backend leaves behind when the store dies mid-upload or the caller cancels, against an s3rver of the
/// test's own that it kills and restarts. The SDK's retries are off, so the failure reaches the backend at once.
/// </summary>
public sealed class S3FaultTests : IAsyncLifetime
{
    private const int PartSize = S3StorageOptions.MinimumPartSize;
    private readonly RecordedRequests _log = new();
    private RestartableServer? _server;
    private IAmazonS3? _client;
    private string _bucket = "";

    private RestartableServer Server => _server!;

    private IAmazonS3 Client => _client!;

    public async Task InitializeAsync()
    {
        _server = await RestartableServer.StartS3rverAsync();
        _client = TestServerClients.S3rver(Server.Port, config =>
        {
            config.MaxErrorRetry = 0;
            config.HttpClientFactory = _log.AwsFactory();
        });
        _bucket = await S3TestBuckets.CreateAsync(Client);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Promise("P-CLOUD-02", "P-CLOUD-05")]
    [Fact]
    public async Task Server_killed_mid_multipart_upload_fails_with_a_typed_error_and_leaves_no_object_once_back()
    {
        var backend = NewBackend();
        Task? restart = null;
        var source = new CallbackStream(new GeneratedStream(8L * PartSize), afterBytes: 2L * PartSize + 1, callback: () =>
        {
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
        Assert.IsNotType<StorageRequestFailedException>(error.InnerException);
        Assert.NotNull(restart);
        await restart;

        Assert.False(await backend.ExistsAsync("fault/killed.bin"));
        Assert.DoesNotContain("fault/killed.bin", await S3TestBuckets.ListKeysAsync(Client, _bucket));
        await AssertNoIncompleteUploadAsync("fault/killed.bin", error.Message);
    }

    [Promise("P-CLOUD-02", "P-CLOUD-05")]
    [Fact]
    public async Task Cancellation_mid_multipart_upload_aborts_it_and_leaves_no_object()
    {
        var backend = NewBackend();
        using var cts = new CancellationTokenSource();
        var source = new CallbackStream(new GeneratedStream(8L * PartSize), afterBytes: 2L * PartSize + 1, callback: cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.UploadAsync("fault/cancelled.bin", source, cancellationToken: cts.Token));

        Assert.False(await backend.ExistsAsync("fault/cancelled.bin"));
        await AssertNoIncompleteUploadAsync("fault/cancelled.bin", errorMessage: null);
    }

    private S3StorageBackend NewBackend()
        => new(Client, new S3StorageOptions { BucketName = _bucket, PartSize = PartSize, UseChunkEncoding = false,
            UseConditionalWrites = false, AbortTimeout = TimeSpan.FromSeconds(60) });

    private Task AssertNoIncompleteUploadAsync(string key, string? errorMessage)
        => UploadLeftovers.AssertNoIncompleteS3UploadAsync(Client, _bucket, _log, key, errorMessage);
}
