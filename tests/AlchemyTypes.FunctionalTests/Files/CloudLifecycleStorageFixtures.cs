using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using Amazon.S3;
using Azure.Storage.Blobs;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// PostgreSQL together with the cloud storage test servers (s3rver and Azurite, or the external ones the environment
/// names), for the lifecycle suite on cloud storage. A test class belongs to one collection, so the database and the
/// storage servers it needs come from one definition.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCloudCollection : ICollectionFixture<PostgresServerFixture>, ICollectionFixture<S3ServerFixture>, ICollectionFixture<AzuriteFixture>
{
    public const string Name = "PostgreSQL + cloud storage";
}

/// <summary>The lifecycle suite's storage on the S3 test server, in a bucket of its own emptied and removed afterwards.</summary>
public sealed class S3LifecycleStorageFixture(S3ServerFixture server) : LifecycleStorageFixture
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string? _bucket;

    /// <summary>
    /// The backend runs with its default options (conditional writes on; chunk encoding off on s3rver only, which cannot
    /// decode it). s3rver ignores <c>If-None-Match</c>, so there only the HEAD check before the upload stops an overwrite
    /// (README, "What each backend does"); real S3 and MinIO honour the header and refuse the second create.
    /// </summary>
    public override bool RejectsConcurrentCreatesOfOneKey => server.IsExternal;

    public override async Task DisposeAsync()
    {
        if (_bucket is not null)
        {
            await S3TestBuckets.DeleteAsync(_client, _bucket);
        }

        _client.Dispose();
    }

    protected override async Task<IStorageBackend> CreatePrimaryAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, S3TestBuckets.DefaultOptions(server, _bucket));
    }
}

/// <summary>The lifecycle suite's storage on Azurite (or the external account), in a container of its own deleted afterwards.</summary>
public sealed class AzureLifecycleStorageFixture(AzuriteFixture server) : LifecycleStorageFixture
{
    private BlobContainerClient? _container;

    public override async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DeleteAsync();
        }
    }

    protected override async Task<IStorageBackend> CreatePrimaryAsync()
    {
        _container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
        return new AzureBlobStorageBackend(_container);
    }
}
