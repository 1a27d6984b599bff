using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;

namespace AlchemyTypes.FunctionalTests.Storage;

/// <summary>The listing part of the storage contract (by prefix, paged, resumable, in key order where the store keeps it).</summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public async Task List_streams_every_key_in_utf8_byte_order_with_size_and_last_modified()
    {
        Assert.True(Backend.CanList);
        Assert.Empty(await ListAsync());

        // Chosen so that a per-folder walk, UTF-16 order and UTF-8 order could disagree: '-' < '.' < '/' < '0', é, and a
        // character above U+FFFF.
        string[] keys = ["a-b", "a.c", "a/x", "a/y/z", "a0", "b", "caf\u00e9/1", "cafe/1", "e\U0001F600/1", "z/\u00e9"];
        var sizes = new Dictionary<string, int>();
        foreach (var (key, index) in keys.Reverse().Select((k, i) => (k, i)))
        {
            sizes[key] = index * 10;
            await Backend.UploadAsync(key, new MemoryStream(RandomBytes(index * 10)));
        }

        var listed = await ListAsync();
        var expected = keys.ToList();
        expected.Sort(StorageKey.Order);
        Assert.Equal(expected, listed.Select(o => o.Key).Order(StorageKey.Order));
        Assert.All(listed, o => Assert.Equal(sizes[o.Key], o.Size));
        Assert.All(listed, o => Assert.InRange(o.LastModified!.Value, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(expected.OrderBy(k => Encoding.UTF8.GetBytes(k), new ByteOrder()), expected);
        if (ListsInKeyOrder)
        {
            Assert.Equal(expected, listed.Select(o => o.Key));
        }
    }

    [Fact]
    public async Task List_by_prefix_pages_and_resumes_after_a_key()
    {
        for (var i = 0; i < 7; i++)
        {
            await Backend.UploadAsync($"docs/re{i}.txt", new MemoryStream([(byte)i]));
        }

        await Backend.UploadAsync("docs/other.txt", new MemoryStream([1]));
        await Backend.UploadAsync("docsx/re9.txt", new MemoryStream([1]));

        var page2 = await ListAsync(new StorageListOptions { Prefix = "docs/re", PageSize = 2 });
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"docs/re{i}.txt"), page2.Select(o => o.Key));

        var resumed = await ListAsync(new StorageListOptions { Prefix = "docs/", StartAfter = "docs/re3.txt", PageSize = 3 });
        Assert.Equal(new[] { "docs/re4.txt", "docs/re5.txt", "docs/re6.txt" }, resumed.Select(o => o.Key));

        Assert.Equal(["docsx/re9.txt"], (await ListAsync(new StorageListOptions { Prefix = "docsx" })).Select(o => o.Key));
        Assert.Equal(["docs/other.txt"], (await ListAsync(new StorageListOptions { Prefix = "docs/o" })).Select(o => o.Key));
        Assert.Empty(await ListAsync(new StorageListOptions { Prefix = "nothing/" }));
        Assert.Equal(9, (await ListAsync(new StorageListOptions { PageSize = 1 })).Count);
    }

    [Fact]
    public async Task List_rejects_bad_options_with_a_typed_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.ListAsync(new StorageListOptions { PageSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.ListAsync(new StorageListOptions { PageSize = StorageListOptions.MaxPageSize + 1 }));
        Assert.Throws<InvalidStorageKeyException>(() => Backend.ListAsync(new StorageListOptions { Prefix = "a\\b" }));
        await Task.CompletedTask;
    }

    protected async Task<List<StoredObjectInfo>> ListAsync(StorageListOptions? options = null)
    {
        var list = new List<StoredObjectInfo>();
        await foreach (var item in Backend.ListAsync(options))
        {
            list.Add(item);
        }

        return list;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>Extra headers a PUT through this backend's signed URL must carry (Azure needs x-ms-blob-type).</summary>
    protected virtual IReadOnlyDictionary<string, string> SignedPutHeaders => new Dictionary<string, string>();
}
