using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage.S3;
using Amazon.S3;
using Amazon.S3.Model;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>Creates throw-away buckets on the S3 test server and empties and removes them afterwards.</summary>
internal static class S3TestBuckets
{
    /// <summary>Backend options for the test server: no chunk encoding (s3rver stores the chunk framing; S3 and MinIO accept either),
    /// conditional writes only where the server honours them.</summary>
    public static S3StorageOptions Options(S3ServerFixture server, string bucket, string? prefix = null)
        => new() { BucketName = bucket, KeyPrefix = prefix, UseChunkEncoding = false, UseConditionalWrites = server.IsExternal };

    /// <summary>
    /// The backend's default options, except where the server cannot take them: s3rver stores <c>aws-chunked</c> framing as
    /// content, so chunk encoding is off there; against an external server (MinIO, AWS) nothing is changed. Conditional
    /// writes stay on: s3rver ignores <c>If-None-Match</c> (it neither honours nor rejects it).
    /// </summary>
    public static S3StorageOptions DefaultOptions(S3ServerFixture server, string bucket)
    {
        var options = new S3StorageOptions { BucketName = bucket };
        if (!server.IsExternal)
        {
            options.UseChunkEncoding = false;
        }

        return options;
    }

    /// <summary>A client like the fixture's whose requests are recorded in <paramref name="log"/>.</summary>
    public static IAmazonS3 CreateRecordingClient(S3ServerFixture server, RecordedRequests log)
        => CreateClient(server, log.AwsFactory());

    /// <summary>A client like the fixture's whose HTTP requests go through <paramref name="handler"/>.</summary>
    public static IAmazonS3 CreateClient(S3ServerFixture server, DelegatingHandler handler)
        => CreateClient(server, new HandlerHttpClientFactory(handler));

    private static IAmazonS3 CreateClient(S3ServerFixture server, Amazon.Runtime.HttpClientFactory factory)
        => server.CreateClient(config => config.HttpClientFactory = factory);

    private sealed class HandlerHttpClientFactory(DelegatingHandler handler) : Amazon.Runtime.HttpClientFactory
    {
        public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(Amazon.Runtime.IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(Amazon.Runtime.IClientConfig clientConfig) => false;
    }

    public static async Task<string> CreateAsync(IAmazonS3 client)
    {
        var bucket = S3ServerFixture.NewBucketName();
        await client.PutBucketAsync(bucket);
        return bucket;
    }

    public static async Task<List<string>> ListKeysAsync(IAmazonS3 client, string bucket)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    public static async Task DeleteAsync(IAmazonS3 client, string bucket)
    {
        var keys = await ListKeysAsync(client, bucket);
        foreach (var chunk in keys.Chunk(1000))
        {
            var request = new DeleteObjectsRequest { BucketName = bucket };
            foreach (var key in chunk)
            {
                request.AddKey(key);
            }

            await client.DeleteObjectsAsync(request);
        }

        await client.DeleteBucketAsync(bucket);
    }
}
