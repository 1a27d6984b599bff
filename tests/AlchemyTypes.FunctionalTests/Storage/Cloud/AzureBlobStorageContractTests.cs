using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using Azure.Storage.Blobs;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>The storage contract against Azurite (or ALCHEMYTYPES_TEST_AZURE_BLOB), with a shared-key client that can sign SAS URLs.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStorageContractTests(AzuriteFixture server) : StorageContractTests
{
    private BlobContainerClient? _container;

    protected override bool ExpectsSignedUrls => true;

    protected override IReadOnlyDictionary<string, string> SignedPutHeaders => new Dictionary<string, string> { ["x-ms-blob-type"] = "BlockBlob" };

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
        return new AzureBlobStorageBackend(_container);
    }

    protected override async Task DisposeBackendAsync(IStorageBackend backend) => await _container!.DeleteAsync();
}

/// <summary>The same contract through a key prefix, with small blocks so that several-megabyte uploads are staged in many blocks.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobPrefixedStorageContractTests(AzuriteFixture server) : StorageContractTests
{
    private BlobContainerClient? _container;

    protected override bool ExpectsSignedUrls => true;

    protected override IReadOnlyDictionary<string, string> SignedPutHeaders => new Dictionary<string, string> { ["x-ms-blob-type"] = "BlockBlob" };

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        var service = server.CreateServiceClient();
        var name = AzuriteFixture.NewContainerName();
        _container = service.GetBlobContainerClient(name);
        await _container.CreateAsync();
        return new AzureBlobStorageBackend(service, name, new AzureBlobStorageOptions { KeyPrefix = "tenant-a/files/",
            TransferSize = 1024 * 1024, MaxConcurrency = 3 });
    }

    protected override async Task DisposeBackendAsync(IStorageBackend backend)
    {
        await foreach (var blob in _container!.GetBlobsAsync())
        {
            Assert.StartsWith("tenant-a/files/", blob.Name, StringComparison.Ordinal);
        }

        await _container.DeleteAsync();
    }
}
