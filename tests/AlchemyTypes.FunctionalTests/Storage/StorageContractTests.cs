using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;

namespace AlchemyTypes.FunctionalTests.Storage;

/// <summary>
/// The contract every <see cref="IStorageBackend"/> obeys. Each backend subclasses this once (a line or two), so all
/// backends are held to exactly the same behaviour.
/// </summary>
public abstract partial class StorageContractTests : IAsyncLifetime
{
    private IStorageBackend? _backend;

    protected IStorageBackend Backend => _backend ?? throw new InvalidOperationException("The backend is created in InitializeAsync.");

    /// <summary>Whether this backend must offer signed URLs (GET and PUT) usable with a plain HttpClient.</summary>
    protected virtual bool ExpectsSignedUrls => false;

    /// <summary>
    /// Whether the store lists in <see cref="StorageKey.Order"/>. Amazon S3, Azure and the in-process backends do; s3rver
    /// lists in its folder-walk order (a folder "a" before a sibling "a-b"), which reconciliation tolerates by sorting itself.
    /// </summary>
    protected virtual bool ListsInKeyOrder => true;

    /// <summary>Creates a backend over an empty store (a fresh folder, bucket or container).</summary>
    protected abstract Task<IStorageBackend> CreateBackendAsync();

    /// <summary>Removes what <see cref="CreateBackendAsync"/> made.</summary>
    protected virtual Task DisposeBackendAsync(IStorageBackend backend) => Task.CompletedTask;

    public async Task InitializeAsync() => _backend = await CreateBackendAsync();

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await DisposeBackendAsync(_backend);
            (_backend as IDisposable)?.Dispose();
        }
    }

    protected static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);

    protected async Task<byte[]> ReadAllAsync(string key, StorageRange? range = null)
    {
        await using var stream = await Backend.OpenReadAsync(key, range);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Promise("P-STORE-08")]
    [Fact]
    public async Task Upload_then_read_returns_the_same_bytes_and_properties()
    {
        var data = RandomBytes(300_000);
        var info = await Backend.UploadAsync(
            "docs/report.pdf",
            new MemoryStream(data),
            new StorageUploadOptions { ContentType = "application/pdf", Metadata = new Dictionary<string, string> { ["owner"] = "alice",
                ["purpose"] = "contract-test" } });

        Assert.Equal("docs/report.pdf", info.Key);
        Assert.Equal(data.Length, info.Size);
        Assert.False(string.IsNullOrEmpty(info.ETag));
        Assert.Equal(data, await ReadAllAsync("docs/report.pdf"));

        var stored = await Backend.GetInfoAsync("docs/report.pdf");
        Assert.Equal(data.Length, stored.Size);
        Assert.Equal("application/pdf", stored.ContentType);
        Assert.Equal("alice", stored.Metadata["owner"]);
        Assert.Equal("contract-test", stored.Metadata["purpose"]);
        Assert.NotNull(stored.LastModified);
        Assert.True(await Backend.ExistsAsync("docs/report.pdf"));
    }

    [Fact]
    public async Task Upload_reads_a_non_seekable_stream_of_several_megabytes()
    {
        var data = RandomBytes(6 * 1024 * 1024 + 123);
        var info = await Backend.UploadAsync("big/non-seekable.bin", new NonSeekableStream(new MemoryStream(data)));
        Assert.Equal(data.Length, info.Size);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAllAsync("big/non-seekable.bin")));
    }

    [Fact]
    public async Task Empty_object_round_trips_with_the_default_content_type()
    {
        var info = await Backend.UploadAsync("empty.txt", new MemoryStream());
        Assert.Equal(0, info.Size);
        Assert.Empty(await ReadAllAsync("empty.txt"));
        Assert.Equal("application/octet-stream", (await Backend.GetInfoAsync("empty.txt")).ContentType);
    }

    [Promise("P-STORE-08", "P-CLOUD-03")]
    [Fact]
    public async Task Byte_ranges_read_exactly_the_requested_bytes()
    {
        var data = RandomBytes(10_000);
        await Backend.UploadAsync("ranges.bin", new MemoryStream(data));

        Assert.Equal(data[100..300], await ReadAllAsync("ranges.bin", new StorageRange(100, 200)));
        Assert.Equal(data[9_990..], await ReadAllAsync("ranges.bin", new StorageRange(9_990)));
        Assert.Equal(data[9_990..], await ReadAllAsync("ranges.bin", new StorageRange(9_990, 500))); // clipped at the end
        Assert.Equal(data[..1], await ReadAllAsync("ranges.bin", new StorageRange(0, 1)));
        var error = await Assert.ThrowsAsync<StorageRangeException>(() => ReadAllAsync("ranges.bin", new StorageRange(10_000, 10)));
        Assert.Throws<StorageRangeException>(() => Backend.OpenRead("ranges.bin", new StorageRange(20_000)).Dispose());
    }

    public static TheoryData<string> InvalidKeys => new()
    {
        "", "/leading-slash", "a//b", "a/./b", "a/../b", "..", "back\\slash", "c:/drive", "nul\0char", "tab\tchar", new string('k', 1025),
    };

    [Promise("P-STORE-01")]
    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Invalid_keys_are_refused_by_every_operation(string key)
    {
        await Backend.UploadAsync("valid.txt", new MemoryStream([1, 2, 3]));
        var operations = new Dictionary<string, Func<Task>>
        {
            ["UploadAsync"] = () => Backend.UploadAsync(key, new MemoryStream([1])),
            ["Upload"] = () => Task.FromResult(Backend.Upload(key, new MemoryStream([1]))),
            ["OpenReadAsync"] = () => Backend.OpenReadAsync(key),
            ["OpenRead"] = () => Task.FromResult(Backend.OpenRead(key)),
            ["ExistsAsync"] = () => Backend.ExistsAsync(key),
            ["GetInfoAsync"] = () => Backend.GetInfoAsync(key),
            ["DeleteAsync"] = () => Backend.DeleteAsync(key),
        };
        if (Backend is ISignedUrlStorageBackend { CanSignUrls: true } signer)
        {
            operations["GetSignedUrlAsync"] = () => signer.GetSignedUrlAsync(key, new SignedUrlOptions());
        }

        foreach (var (name, operation) in operations)
        {
            var error = await Record.ExceptionAsync(operation);
            Assert.True(error is InvalidStorageKeyException, $"{name} with key '{key}' threw {error?.GetType().Name ?? "nothing"} instead of "
                + $"InvalidStorageKeyException");
        }

        Assert.Equal([1, 2, 3], await ReadAllAsync("valid.txt"));

        // A batch delete reports an invalid key as failed (never touching storage for it) and deletes the valid ones.
        var batch = await Backend.DeleteManyAsync(["valid.txt", key]);
        Assert.Contains("invalid key", Assert.Contains(key, batch.Failed), StringComparison.Ordinal);
        Assert.Equal(["valid.txt"], batch.Deleted);
        Assert.False(await Backend.ExistsAsync("valid.txt"));
        await Backend.UploadAsync("valid.txt", new MemoryStream([1]));
        var syncBatch = Backend.DeleteMany([key, "valid.txt"]);
        Assert.Contains(key, syncBatch.Failed.Keys);
        Assert.Equal(["valid.txt"], syncBatch.Deleted);
    }

    [Promise("P-FILE-03", "P-STORE-04", "P-STORE-08", "P-CLOUD-06")]
    [Fact]
    public async Task An_existing_object_is_not_replaced_unless_overwrite_is_set()
    {
        var first = Encoding.UTF8.GetBytes("first version");
        await Backend.UploadAsync("keep.txt", new MemoryStream(first));

        var error = await Assert.ThrowsAsync<StorageObjectExistsException>(() => Backend.UploadAsync("keep.txt",
            new MemoryStream(Encoding.UTF8.GetBytes("second"))));
        Assert.Equal("keep.txt", error.Key);
        Assert.Equal(first, await ReadAllAsync("keep.txt"));

        await Backend.UploadAsync("keep.txt", new MemoryStream(Encoding.UTF8.GetBytes("second")), new StorageUploadOptions { Overwrite = true });
        Assert.Equal("second", Encoding.UTF8.GetString(await ReadAllAsync("keep.txt")));
    }

    [Promise("P-STORE-08", "P-CLOUD-03")]
    [Fact]
    public async Task Missing_objects_are_typed_errors_to_read_and_no_error_to_delete()
    {
        Assert.False(await Backend.ExistsAsync("nope/missing.txt"));
        var read = await Assert.ThrowsAsync<StorageObjectNotFoundException>(() => Backend.OpenReadAsync("nope/missing.txt"));
        Assert.Equal("nope/missing.txt", read.Key);
        await Assert.ThrowsAsync<StorageObjectNotFoundException>(() => Backend.GetInfoAsync("nope/missing.txt"));
        await Backend.DeleteAsync("nope/missing.txt");
    }

    [Fact]
    public async Task Delete_removes_the_object()
    {
        await Backend.UploadAsync("to-delete.txt", new MemoryStream([1, 2, 3]));
        await Backend.DeleteAsync("to-delete.txt");
        Assert.False(await Backend.ExistsAsync("to-delete.txt"));
        await Assert.ThrowsAsync<StorageObjectNotFoundException>(() => Backend.OpenReadAsync("to-delete.txt"));
    }

    [Promise("P-STORE-08", "P-CLOUD-07")]
    [Fact]
    public async Task A_conditional_delete_removes_only_the_version_whose_ETag_it_names()
    {
        var first = await Backend.UploadAsync("versioned.bin", new MemoryStream(RandomBytes(64)));
        Assert.False(string.IsNullOrEmpty(first.ETag));
        Assert.False(await Backend.DeleteAsync("versioned.bin", new StorageDeleteOptions { IfMatchETag = "\"not-this-version\"" }));
        Assert.True(await Backend.ExistsAsync("versioned.bin"));
        Assert.True(await Backend.DeleteAsync("versioned.bin", new StorageDeleteOptions { IfMatchETag = first.ETag }));
        Assert.False(await Backend.ExistsAsync("versioned.bin"));

        // The key reused: the old version's delete, run late, leaves the new object alone.
        var second = await Backend.UploadAsync("versioned.bin", new MemoryStream(RandomBytes(64)));
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.False(await Backend.DeleteAsync("versioned.bin", new StorageDeleteOptions { IfMatchETag = first.ETag }));
        Assert.True(await Backend.ExistsAsync("versioned.bin"));
        Assert.False(await Backend.DeleteAsync("never-stored.bin", new StorageDeleteOptions { IfMatchETag = first.ETag }));
        Assert.True(await Backend.DeleteAsync("versioned.bin", new StorageDeleteOptions()));
        Assert.False(await Backend.ExistsAsync("versioned.bin"));
    }

    [Fact]
    public async Task DeleteMany_deletes_existing_and_counts_missing_as_deleted()
    {
        var keys = Enumerable.Range(0, 25).Select(i => $"batch/{i:D3}.bin").ToList();
        foreach (var key in keys.Take(20))
        {
            await Backend.UploadAsync(key, new MemoryStream(RandomBytes(16)));
        }

        var result = await Backend.DeleteManyAsync(keys);
        Assert.True(result.Succeeded, string.Join("; ", result.Failed.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(keys.Order(StringComparer.Ordinal), result.Deleted.Order(StringComparer.Ordinal));
        Assert.True(result.RequestCount >= 1);
        foreach (var key in keys)
        {
            Assert.False(await Backend.ExistsAsync(key), key);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute/path")]
    [InlineData("a/../b")]
    [InlineData("../escape")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("C:/windows/win.ini")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    public async Task Unsafe_keys_are_rejected_by_every_operation(string key)
    {
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Backend.UploadAsync(key, new MemoryStream([1])));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Backend.OpenReadAsync(key));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Backend.ExistsAsync(key));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Backend.GetInfoAsync(key));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => Backend.DeleteAsync(key));
        Assert.Throws<InvalidStorageKeyException>(() => Backend.Upload(key, new MemoryStream([1])));
    }

    [Fact]
    public async Task Keys_with_spaces_and_unicode_work()
    {
        const string key = "dossiers/année 2025/résumé – final.txt";
        await Backend.UploadAsync(key, new MemoryStream(Encoding.UTF8.GetBytes("ok")), new StorageUploadOptions { ContentType = "text/plain" });
        Assert.Equal("ok", Encoding.UTF8.GetString(await ReadAllAsync(key)));
        Assert.Equal("text/plain", (await Backend.GetInfoAsync(key)).ContentType);
    }

    [Promise("P-STORE-08", "P-CLOUD-02")]
    [Fact]
    public async Task A_cancelled_upload_leaves_no_object()
    {
        using var cts = new CancellationTokenSource();
        var source = new CallbackStream(new MemoryStream(RandomBytes(8 * 1024 * 1024)), afterBytes: 1024 * 1024, callback: cts.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Backend.UploadAsync("cancelled.bin", source, cancellationToken: cts.Token));
        Assert.False(await Backend.ExistsAsync("cancelled.bin"));
    }

    [Promise("P-STORE-08", "P-CLOUD-02")]
    [Fact]
    public async Task A_source_that_fails_mid_upload_leaves_no_object()
    {
        var source = new CallbackStream(new MemoryStream(RandomBytes(8 * 1024 * 1024)), afterBytes: 1024 * 1024,
            callback: () => throw new IOException("source broke"));
        var error = await Record.ExceptionAsync(() => Backend.UploadAsync("broken.bin", source));
        Assert.NotNull(error);
        Assert.False(await Backend.ExistsAsync("broken.bin"));
    }

    [Promise("P-STORE-08", "P-CLOUD-09")]
    [Fact]
    public async Task Synchronous_members_work_for_synchronous_SaveChanges()
    {
        var data = RandomBytes(70_000);
        var info = Backend.Upload("sync/a.bin", new MemoryStream(data), new StorageUploadOptions { ContentType = "application/x-test" });
        Assert.Equal(data.Length, info.Size);
        using (var stream = Backend.OpenRead("sync/a.bin", new StorageRange(10, 20)))
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            Assert.Equal(data[10..30], copy.ToArray());
        }

        var result = Backend.DeleteMany(["sync/a.bin", "sync/missing.bin"]);
        Assert.True(result.Succeeded);
        Assert.False(await Backend.ExistsAsync("sync/a.bin"));
    }

    [Promise("P-STORE-07", "P-STORE-08")]
    [Fact]
    public async Task Concurrent_uploads_of_different_keys_all_land()
    {
        var payloads = Enumerable.Range(0, 16).ToDictionary(i => $"parallel/{i}.bin", _ => RandomBytes(50_000));
        await Task.WhenAll(payloads.Select(p => Backend.UploadAsync(p.Key, new MemoryStream(p.Value))));
        foreach (var (key, data) in payloads)
        {
            Assert.Equal(data, await ReadAllAsync(key));
        }
    }

    [Promise("P-URL-01", "P-URL-04", "P-CLOUD-08")]
    [Fact]
    public async Task Signed_url_capability_is_discoverable_and_works_with_a_plain_HttpClient()
    {
        var signer = Backend as ISignedUrlStorageBackend;
        Assert.Equal(ExpectsSignedUrls, signer?.CanSignUrls ?? false);
        if (!ExpectsSignedUrls)
        {
            return;
        }

        var data = RandomBytes(4096);
        await Backend.UploadAsync("signed/get.bin", new MemoryStream(data), new StorageUploadOptions { ContentType = "application/octet-stream" });
        using var http = new HttpClient();
        var getUrl = await signer!.GetSignedUrlAsync("signed/get.bin", new SignedUrlOptions { ExpiresIn = TimeSpan.FromMinutes(5) });
        Assert.Equal(data, await http.GetByteArrayAsync(getUrl));

        var putUrl = await signer.GetSignedUrlAsync("signed/put.txt", new SignedUrlOptions { Method = SignedUrlMethod.Put,
            ExpiresIn = TimeSpan.FromMinutes(5), ContentType = "text/plain" });
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("uploaded through a signed URL"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Put, putUrl) { Content = content };
        foreach (var (name, value) in SignedPutHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT through the signed URL failed: {(int)response.StatusCode} "
            + $"{await response.Content.ReadAsStringAsync()}");
        Assert.Equal("uploaded through a signed URL", Encoding.UTF8.GetString(await ReadAllAsync("signed/put.txt")));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => signer.GetSignedUrlAsync("signed/get.bin",
            new SignedUrlOptions { ExpiresIn = TimeSpan.Zero }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => signer.GetSignedUrlAsync("signed/get.bin",
            new SignedUrlOptions { ExpiresIn = TimeSpan.FromDays(8) }));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => signer.GetSignedUrlAsync("../x", new SignedUrlOptions()));
    }
}
