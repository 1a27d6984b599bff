using System.Text;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Testing;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>Azure-specific behaviour beyond the contract: Blob Batch, staged blocks, credentials that cannot sign.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobBackendTests(AzuriteFixture server) : IAsyncLifetime
{
    private BlobContainerClient? _container;

    private BlobContainerClient Container => _container!;

    public async Task InitializeAsync()
    {
        _container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
    }

    public async Task DisposeAsync() => await Container.DeleteAsync();

    [Promise("P-CLOUD-07")]
    [Fact]
    public async Task DeleteMany_sends_one_Blob_Batch_per_256_keys_and_reports_a_leased_blob_as_failed()
    {
        using var backend = new AzureBlobStorageBackend(Container);
        var keys = Enumerable.Range(0, 600).Select(i => $"many/{i:D4}.txt").ToList();
        await Parallel.ForEachAsync(keys.Take(590), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key,
            _) => await backend.UploadAsync(key, new MemoryStream([1, 2, 3])));

        // A blob under an active lease cannot be deleted without its lease id: a per-key failure inside the batch.
        var lease = Container.GetBlobClient("many/0007.txt").GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(60));

        var result = await backend.DeleteManyAsync(keys);

        Assert.Equal(3, result.RequestCount); // 256 + 256 + 88: batches, not 600 single deletes
        Assert.Equal(["many/0007.txt"], result.Failed.Keys);
        Assert.Contains("412", result.Failed["many/0007.txt"], StringComparison.Ordinal);
        Assert.Equal(599, result.Deleted.Count);
        var left = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "many/", CancellationToken.None))
        {
            left.Add(blob.Name);
        }

        Assert.Equal(["many/0007.txt"], left);
        await lease.ReleaseAsync();
    }

    [Promise("P-CLOUD-07")]
    [Fact]
    public async Task DeleteMany_without_batches_deletes_one_by_one_in_parallel_and_counts_each_request()
    {
        using var backend = new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { UseBatchDelete = false });
        var keys = Enumerable.Range(0, 40).Select(i => $"single/{i:D3}.txt").ToList();
        foreach (var key in keys.Take(30))
        {
            await backend.UploadAsync(key, new MemoryStream([1]));
        }

        var result = backend.DeleteMany(keys);
        Assert.True(result.Succeeded);
        Assert.Equal(40, result.RequestCount);
        Assert.Equal(40, result.Deleted.Count);
        await Assert.ThrowsAsync<StorageObjectNotFoundException>(() => backend.GetInfoAsync("single/000.txt"));
    }

    [Promise("P-CLOUD-07")]
    [Fact]
    public async Task A_service_that_refuses_Blob_Batch_gets_parallel_single_deletes_and_is_not_asked_again()
    {
        // The same Azurite, behind a pipeline that breaks the batch endpoint's query: the service answers it with a 4xx,
        // as one without Blob Batch support would.
        var options = new BlobClientOptions();
        options.AddPolicy(new BreakBatchRequestsPolicy(), Azure.Core.HttpPipelinePosition.PerCall);
        var container = new BlobServiceClient(server.ConnectionString, options).GetBlobContainerClient(Container.Name);
        using var backend = new AzureBlobStorageBackend(container);
        var keys = Enumerable.Range(0, 300).Select(i => $"fallback/{i:D3}.txt").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key,
            _) => await backend.UploadAsync(key, new MemoryStream([1])));

        var first = await backend.DeleteManyAsync(keys);
        Assert.True(first.Succeeded, string.Join("; ", first.Failed.Values.Take(3)));
        Assert.Equal(300, first.Deleted.Count);
        Assert.Equal(1 + 300, first.RequestCount); // the refused batch, then one delete per key (the second chunk is not batched)

        var second = await backend.DeleteManyAsync(keys.Take(10).ToList());
        Assert.Equal(10, second.RequestCount); // no batch attempt any more
        await foreach (var blob in Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "fallback/", CancellationToken.None))
        {
            Assert.Fail($"{blob.Name} was not deleted");
        }
    }

    [Promise("P-CLOUD-05")]
    [Fact]
    public async Task Large_uploads_are_staged_in_blocks_of_the_transfer_size_with_content_type_and_metadata()
    {
        using var backend = new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { TransferSize = 1024 * 1024, MaxConcurrency = 3 });
        var info = await backend.UploadAsync(
            "blocks/four.bin",
            new GeneratedStream(3L * 1024 * 1024 + 17),
            new StorageUploadOptions { ContentType = "application/x-blocks", Metadata = new Dictionary<string, string> { ["origin"] = "test" } });

        Assert.Equal(3L * 1024 * 1024 + 17, info.Size);
        BlockList blocks = await Container.GetBlockBlobClient("blocks/four.bin").GetBlockListAsync(BlockListTypes.All);
        Assert.Equal(4, blocks.CommittedBlocks.Count());
        Assert.Empty(blocks.UncommittedBlocks);
        BlobProperties properties = await Container.GetBlobClient("blocks/four.bin").GetPropertiesAsync();
        Assert.Equal("application/x-blocks", properties.ContentType);
        Assert.Equal("test", properties.Metadata["origin"]);

        var expected = new byte[info.Size];
        new GeneratedStream(info.Size).ReadExactly(expected);
        await using var read = await backend.OpenReadAsync("blocks/four.bin", new StorageRange(1024 * 1024 - 5, 10));
        var slice = new byte[10];
        await read.ReadExactlyAsync(slice);
        Assert.Equal(expected.AsSpan(1024 * 1024 - 5, 10).ToArray(), slice);
    }

    [Promise("P-CLOUD-06", "P-STORE-04")]
    [Fact]
    public async Task A_blob_created_by_someone_else_during_an_upload_is_not_overwritten()
    {
        using var backend = new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { TransferSize = 1024 * 1024 });
        var other = Container.GetBlobClient("race/winner.txt");

        // The existence check has passed when the source is read: the other writer lands between it and the commit,
        // which If-None-Match: * then refuses.
        var source = new CallbackStream(new GeneratedStream(3L * 1024 * 1024), afterBytes: 1024 * 1024 + 1,
            callback: () => other.Upload(BinaryData.FromString("the other writer"), overwrite: true));
        await Assert.ThrowsAsync<StorageObjectExistsException>(() => backend.UploadAsync("race/winner.txt", source));

        Assert.Equal("the other writer", (await other.DownloadContentAsync()).Value.Content.ToString());
        // The blocks this upload staged after the other writer's commit stay uncommitted on the other writer's blob:
        // discarding them would mean re-committing someone else's blob. Its next commit, or Azure after 7 days, drops them.
    }

    [Promise("P-CLOUD-08", "P-URL-01")]
    [Fact]
    public async Task Sas_urls_start_and_expire_by_the_clock_in_the_options()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        using var backend = new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { TimeProvider = clock });

        var url = await backend.GetSignedUrlAsync("clock/a.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromHours(2) });

        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("2031-05-06T09:08:09Z", query["se"]);
        Assert.Equal("2031-05-06T07:03:09Z", query["st"]); // five minutes of clock skew allowed
    }

    [Fact]
    public async Task A_seekable_stream_within_the_threshold_goes_up_in_one_Put_Blob_from_its_position()
    {
        using var backend = new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { TransferSize = 1024 * 1024,
            InitialTransferSize = 3 * 1024 * 1024 });
        var data = new byte[(3 * 1024 * 1024) + 5];
        new Random(7).NextBytes(data);

        await backend.UploadAsync("seekable/single.bin", new MemoryStream(data) { Position = 5 });
        await backend.UploadAsync("seekable/blocks.bin", new MemoryStream(data));

        // A Put Blob leaves no block list; staged blocks do.
        Assert.Empty((await Container.GetBlockBlobClient("seekable/single.bin").GetBlockListAsync()).Value.CommittedBlocks);
        Assert.Equal(4, (await Container.GetBlockBlobClient("seekable/blocks.bin").GetBlockListAsync()).Value.CommittedBlocks.Count());
        Assert.Equal(data[5..], (await Container.GetBlobClient("seekable/single.bin").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(data, (await Container.GetBlobClient("seekable/blocks.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task A_client_built_from_a_SAS_works_but_cannot_sign_urls()
    {
        var sas = Container.GenerateSasUri(BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1));
        using var backend = new AzureBlobStorageBackend(new BlobContainerClient(sas));

        await backend.UploadAsync("sas/hello.txt", new MemoryStream(Encoding.UTF8.GetBytes("through a SAS")));
        Assert.True(await backend.ExistsAsync("sas/hello.txt"));
        var result = await backend.DeleteManyAsync(["sas/hello.txt", "sas/missing.txt"]);
        Assert.True(result.Succeeded, string.Join("; ", result.Failed.Values));
        Assert.False(await backend.ExistsAsync("sas/hello.txt"));

        Assert.False(backend.CanSignUrls);
        var error = await Assert.ThrowsAsync<StorageCapabilityException>(() => backend.GetSignedUrlAsync("sas/hello.txt", new SignedUrlOptions()));
        Assert.Contains("shared key", error.Message, StringComparison.Ordinal);
    }

    [Promise("P-CLOUD-08", "P-URL-01")]
    [Fact]
    public async Task A_client_built_from_a_token_credential_cannot_sign_urls()
    {
        using var backend = new AzureBlobStorageBackend(new BlobContainerClient(new Uri("https://account.blob.core.windows.net/files"),
            new UnusedTokenCredential()));
        Assert.False(backend.CanSignUrls);
        await Assert.ThrowsAsync<StorageCapabilityException>(() => backend.GetSignedUrlAsync("a.txt", new SignedUrlOptions { Method = SignedUrlMethod.Put }));
    }

    [Fact]
    public void Invalid_options_are_configuration_errors_that_say_what_to_fix()
    {
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => new AzureBlobStorageBackend(Container,
            new AzureBlobStorageOptions { KeyPrefix = "no-slash" }));
        Assert.Contains("KeyPrefix", error.Message, StringComparison.Ordinal);
        Assert.Throws<AlchemyTypesConfigurationException>(() => new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { KeyPrefix = "../up/" }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { TransferSize = 10 }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new AzureBlobStorageBackend(Container, new AzureBlobStorageOptions { MaxConcurrency = 0 }));
    }

    private sealed class BreakBatchRequestsPolicy : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(Azure.Core.HttpMessage message)
        {
            var uri = message.Request.Uri.ToUri();
            if (uri.Query.Contains("comp=batch", StringComparison.Ordinal))
            {
                message.Request.Uri.Reset(new Uri(uri.ToString().Replace("comp=batch", "comp=nobatch", StringComparison.Ordinal)));
            }
        }
    }

    /// <summary>A token credential that is never asked for a token: signing SAS needs none, and must refuse.</summary>
    private sealed class UnusedTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => throw new InvalidOperationException("No token is needed to decide that SAS cannot be signed.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => throw new InvalidOperationException("No token is needed to decide that SAS cannot be signed.");
    }
}
