using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.S3;
using Amazon.S3;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>The storage contract against a real S3 server (s3rver, or ALCHEMYTYPES_TEST_S3).</summary>
[Collection(S3Collection.Name)]
public sealed class S3StorageContractTests(S3ServerFixture server) : StorageContractTests
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string _bucket = "";

    protected override bool ExpectsSignedUrls => true;

    protected override bool ListsInKeyOrder => server.IsExternal;

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket));
    }

    protected override async Task DisposeBackendAsync(IStorageBackend backend)
    {
        await S3TestBuckets.DeleteAsync(_client, _bucket);
        _client.Dispose();
    }
}

/// <summary>
/// The contract once more with the backend's default options wherever the server supports them
/// (<see cref="S3TestBuckets.DefaultOptions"/>): all of them on MinIO or AWS, all but chunk encoding on s3rver.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3DefaultOptionsStorageContractTests(S3ServerFixture server) : StorageContractTests
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string _bucket = "";

    protected override bool ExpectsSignedUrls => true;

    // s3rver lists in its folder-walk order; S3 and MinIO list in UTF-8 byte order.
    protected override bool ListsInKeyOrder => server.IsExternal;

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, S3TestBuckets.DefaultOptions(server, _bucket));
    }

    protected override async Task DisposeBackendAsync(IStorageBackend backend)
    {
        await S3TestBuckets.DeleteAsync(_client, _bucket);
        _client.Dispose();
    }
}

/// <summary>The same contract through a key prefix, which must be invisible to callers.</summary>
[Collection(S3Collection.Name)]
public sealed class S3PrefixedStorageContractTests(S3ServerFixture server) : StorageContractTests
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string _bucket = "";

    protected override bool ExpectsSignedUrls => true;

    protected override bool ListsInKeyOrder => server.IsExternal;

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket, "tenant-a/files/"));
    }

    protected override async Task DisposeBackendAsync(IStorageBackend backend)
    {
        var keys = await S3TestBuckets.ListKeysAsync(_client, _bucket);
        Assert.All(keys, k => Assert.StartsWith("tenant-a/files/", k, StringComparison.Ordinal));
        await S3TestBuckets.DeleteAsync(_client, _bucket);
        _client.Dispose();
    }
}
