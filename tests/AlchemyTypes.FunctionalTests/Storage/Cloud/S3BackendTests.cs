using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.S3;
using Amazon.S3.Model;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>S3-specific behaviour beyond the contract: multipart parts, DeleteObjects batching, what the raw API sees.</summary>
[Collection(S3Collection.Name)]
public sealed class S3BackendTests(S3ServerFixture server) : IAsyncLifetime
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await S3TestBuckets.CreateAsync(_client);

    public async Task DisposeAsync()
    {
        await S3TestBuckets.DeleteAsync(_client, _bucket);
        _client.Dispose();
    }

    [Promise("P-CLOUD-05")]
    [Fact]
    public async Task Content_above_the_threshold_goes_up_as_a_multipart_upload_with_content_type_and_metadata()
    {
        var log = new RecordedRequests();
        using var client = S3TestBuckets.CreateRecordingClient(server, log);
        var options = S3TestBuckets.Options(server, _bucket);
        options.PartSize = S3StorageOptions.MinimumPartSize;
        options.MultipartThreshold = 1024 * 1024;
        var backend = new S3StorageBackend(client, options);
        const long size = 3L * S3StorageOptions.MinimumPartSize + 1234;

        var info = await backend.UploadAsync(
            "multi/part.bin",
            new GeneratedStream(size),
            new StorageUploadOptions { ContentType = "video/mp4", Metadata = new Dictionary<string, string> { ["owner"] = "bob" } });
        await backend.UploadAsync("multi/above.bin", new GeneratedStream(2 * 1024 * 1024));
        await backend.UploadAsync("multi/below.bin", new GeneratedStream(1024 * 1024));

        Assert.Equal(size, info.Size);
        int Parts(string key) => log.All.Count(r => r.Method == "PUT" && r.Uri.AbsolutePath.EndsWith(key,
            StringComparison.Ordinal) && r.Uri.Query.Contains("partNumber=", StringComparison.Ordinal));
        int Puts(string key) => log.All.Count(r => r.Method == "PUT" && r.Uri.AbsolutePath.EndsWith(key,
            StringComparison.Ordinal) && !r.Uri.Query.Contains("partNumber=", StringComparison.Ordinal));
        Assert.Equal(4, Parts("multi/part.bin"));
        Assert.Equal(1, Parts("multi/above.bin")); // above the 1 MiB threshold: one multipart part
        Assert.Equal((0, 1), (Parts("multi/below.bin"), Puts("multi/below.bin"))); // at the threshold: one PUT
        var head = await _client.GetObjectMetadataAsync(_bucket, "multi/part.bin");
        Assert.Equal("video/mp4", head.Headers.ContentType);
        Assert.Equal("bob", head.Metadata["owner"]);

        await using var stream = await backend.OpenReadAsync("multi/part.bin");
        var expected = new GeneratedStream(size);
        var a = new byte[81920];
        var b = new byte[81920];
        long total = 0;
        int n;
        while ((n = await stream.ReadAtLeastAsync(a, a.Length, throwOnEndOfStream: false)) > 0)
        {
            expected.ReadExactly(b, 0, n);
            Assert.True(a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, n)), $"bytes differ near offset {total}");
            total += n;
        }

        Assert.Equal(size, total);
    }

    [Promise("P-CLOUD-07")]
    [Fact]
    public async Task DeleteMany_sends_one_DeleteObjects_request_per_1000_keys()
    {
        var backend = new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket));
        var keys = Enumerable.Range(0, 2100).Select(i => $"many/{i:D4}.txt").ToList();
        await Parallel.ForEachAsync(keys.Where((_, i) => i % 10 == 0), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key,
            _) => await backend.UploadAsync(key, new MemoryStream([7])));

        var result = await backend.DeleteManyAsync([.. keys, "../invalid"]);

        Assert.Equal(3, result.RequestCount);
        Assert.Equal(2100, result.Deleted.Count);
        Assert.Equal(["../invalid"], result.Failed.Keys);
        Assert.Empty(await S3TestBuckets.ListKeysAsync(_client, _bucket));
    }

    [Promise("P-CLOUD-08", "P-URL-04")]
    [Fact]
    public async Task A_presigned_PUT_with_a_content_type_signs_it_so_S3_refuses_another_type()
    {
        var backend = new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket));
        var url = await backend.GetSignedUrlAsync("signed/typed.txt", new SignedUrlOptions { Method = SignedUrlMethod.Put,
            ContentType = "text/plain", ExpiresIn = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient();

        // The content type is a signed header: S3 and MinIO refuse an upload that sends another one. s3rver does not
        // check it (it stores the upload), so there only the signing is verified.
        Assert.Contains("X-Amz-SignedHeaders=content-type%3Bhost", url.Query, StringComparison.Ordinal);
        if (server.IsExternal)
        {
            using var wrongType = new ByteArrayContent("<png/>"u8.ToArray());
            wrongType.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            using var refused = await http.PutAsync(url, wrongType);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.False(await backend.ExistsAsync("signed/typed.txt"));
        }

        using var rightType = new ByteArrayContent("text"u8.ToArray());
        rightType.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        using var accepted = await http.PutAsync(url, rightType);
        Assert.True(accepted.IsSuccessStatusCode, $"{(int)accepted.StatusCode}");
        Assert.Equal("text/plain", (await backend.GetInfoAsync("signed/typed.txt")).ContentType);
    }

    [Promise("P-CLOUD-07")]
    [Fact]
    public async Task DeleteMany_reports_the_keys_DeleteObjects_refused()
    {
        // s3rver never refuses a key, so the answer of the real DeleteObjects request gets one <Error> added, as S3 sends
        // for a key the credentials may not delete.
        using var client = S3TestBuckets.CreateClient(server, new RefuseOneDeleteHandler("refused/b.txt") { InnerHandler = new SocketsHttpHandler() });
        var backend = new S3StorageBackend(client, S3TestBuckets.Options(server, _bucket, "p/"));
        foreach (var key in new[] { "refused/a.txt", "refused/b.txt", "refused/c.txt" })
        {
            await backend.UploadAsync(key, new MemoryStream([1]));
        }

        var result = await backend.DeleteManyAsync(["refused/a.txt", "refused/b.txt", "refused/c.txt", "refused/missing.txt"]);

        Assert.Equal(1, result.RequestCount);
        Assert.Equal(["refused/b.txt"], result.Failed.Keys);
        Assert.Equal("AccessDenied: Access Denied", result.Failed["refused/b.txt"]);
        Assert.Equal(["refused/a.txt", "refused/c.txt", "refused/missing.txt"], result.Deleted.Order(StringComparer.Ordinal));
    }

    [Promise("P-CLOUD-03")]
    [Fact]
    public async Task A_missing_bucket_is_a_typed_error_that_says_what_to_do()
    {
        var backend = new S3StorageBackend(_client, S3TestBuckets.Options(server, "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]));
        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(() => backend.UploadAsync("a.txt", new MemoryStream([1])));
        Assert.Equal(404, error.StatusCode);
        Assert.Equal("NoSuchBucket", error.ErrorCode);
        Assert.Contains("Create the bucket", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AmazonS3Exception>(error.InnerException);
    }

    private sealed class RefuseOneDeleteHandler(string key) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method != HttpMethod.Post || !request.RequestUri!.Query.Contains("delete", StringComparison.Ordinal))
            {
                return response;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var error = $"<Error><Key>p/{key}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>";
            var content = new StringContent(body.Replace("</DeleteResult>", error, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/xml");
            response.Content = content;
            return response;
        }
    }

    [Fact]
    public void Invalid_options_are_configuration_errors_that_say_what_to_fix()
    {
        Assert.Contains("BucketName", Assert.Throws<AlchemyTypesConfigurationException>(() => new S3StorageBackend(_client,
            new S3StorageOptions())).Message, StringComparison.Ordinal);
        Assert.Throws<AlchemyTypesConfigurationException>(() => new S3StorageBackend(_client, new S3StorageOptions { BucketName = "b",
            KeyPrefix = "a/../b/" }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new S3StorageBackend(_client, new S3StorageOptions { BucketName = "b", PartSize = 1024 }));
        Assert.Contains("MultipartThreshold", Assert.Throws<AlchemyTypesConfigurationException>(() => new S3StorageBackend(_client,
            new S3StorageOptions { BucketName = "b", MultipartThreshold = -1 })).Message, StringComparison.Ordinal);
        Assert.Throws<AlchemyTypesConfigurationException>(() => new S3StorageBackend(_client, new S3StorageOptions { BucketName = "b", TimeProvider = null! }));
    }

    [Fact]
    public async Task A_seekable_stream_within_the_threshold_goes_up_in_one_PUT_from_its_position_and_a_longer_one_in_parts()
    {
        var log = new RecordedRequests();
        using var client = S3TestBuckets.CreateRecordingClient(server, log);
        var options = S3TestBuckets.Options(server, _bucket);
        options.PartSize = S3StorageOptions.MinimumPartSize;
        options.MultipartThreshold = 2 * S3StorageOptions.MinimumPartSize;
        var backend = new S3StorageBackend(client, options);
        var data = new byte[2 * S3StorageOptions.MinimumPartSize + 3];
        new Random(7).NextBytes(data);

        // Position 3: exactly the threshold is left, so one PUT of the bytes from the position on.
        var single = await backend.UploadAsync("seekable/single.bin", new MemoryStream(data) { Position = 3 });
        var parts = await backend.UploadAsync("seekable/parts.bin", new MemoryStream(data));

        int Parts(string key) => log.All.Count(r => r.Method == "PUT" && r.Uri.AbsolutePath.EndsWith(key,
            StringComparison.Ordinal) && r.Uri.Query.Contains("partNumber=", StringComparison.Ordinal));
        int Puts(string key) => log.All.Count(r => r.Method == "PUT" && r.Uri.AbsolutePath.EndsWith(key,
            StringComparison.Ordinal) && !r.Uri.Query.Contains("partNumber=", StringComparison.Ordinal));
        Assert.Equal((0, 1), (Parts("seekable/single.bin"), Puts("seekable/single.bin")));
        Assert.Equal((3, 0), (Parts("seekable/parts.bin"), Puts("seekable/parts.bin")));
        Assert.Equal((data.Length - 3L, (long)data.Length), (single.Size, parts.Size));
        Assert.Equal(data[3..], await ReadAllAsync(backend, "seekable/single.bin"));
        Assert.Equal(data, await ReadAllAsync(backend, "seekable/parts.bin"));
    }

    [Fact]
    public async Task Signed_urls_expire_by_the_clock_in_the_options()
    {
        // The options' clock is ten minutes behind the SDK's: the URL must expire ten minutes earlier than by the SDK's clock.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        var options = S3TestBuckets.Options(server, _bucket);
        options.TimeProvider = clock;
        var backend = new S3StorageBackend(_client, options);

        var url = await backend.GetSignedUrlAsync("clock/a.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromHours(1) });

        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        var signedAt = DateTimeOffset.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var expiresAt = signedAt.AddSeconds(int.Parse(query["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiresAt - (clock.Now + TimeSpan.FromHours(1)), TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(2));
    }

    private static async Task<byte[]> ReadAllAsync(IStorageBackend backend, string key)
    {
        await using var stream = await backend.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
