using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;

namespace AlchemyTypes.FunctionalTests.Storage;

/// <summary>
/// The local backend's folders on disk: deletes leave no empty folders behind (data and metadata) but the fixed shard
/// folders of generated keys, neighbours are kept,
/// and uploads racing with deletes into the same folder never fail or lose an object.
/// </summary>
public sealed class LocalFileSystemLayoutTests : IDisposable
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-layout");
    private readonly LocalFileSystemStorageBackend _backend;

    public LocalFileSystemLayoutTests() => _backend = new LocalFileSystemStorageBackend(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static MemoryStream Content(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Every folder under the root except the backend's own (<c>.alchemytypes</c> and what is in it).</summary>
    private List<string> Folders() => [.. Directory.GetDirectories(_root, "*", SearchOption.AllDirectories)
        .Select(d => Path.GetRelativePath(_root, d))
        .Where(d => !d.StartsWith(".alchemytypes", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)];

    /// <summary>The folders of the metadata sidecars, relative to <c>.alchemytypes/meta</c>.</summary>
    private List<string> SidecarFolders() => [.. Directory.GetDirectories(Path.Combine(_root, ".alchemytypes", "meta"), "*",
            SearchOption.AllDirectories)
        .Select(d => Path.GetRelativePath(Path.Combine(_root, ".alchemytypes", "meta"), d))
        .Order(StringComparer.Ordinal)];

    [Fact]
    [Promise("P-STORE-09")]
    public async Task Deleting_every_object_leaves_no_folder_behind()
    {
        string[] keys = ["0192f3a4b5c6d7e8f9a0b1c2d3e4f5a6/report.pdf", "a/b/c/deep.txt", "a/b/sibling.txt", "top.txt"];
        foreach (var key in keys)
        {
            await _backend.UploadAsync(key, Content(key), new StorageUploadOptions { Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        }

        Assert.NotEmpty(Folders());
        await _backend.DeleteAsync(keys[0]);
        Assert.DoesNotContain(Folders(), f => f.Contains("0192f3a4", StringComparison.Ordinal));
        Assert.Equal(keys.Length - 1, (await _backend.DeleteManyAsync(keys[1..])).Deleted.Count);

        Assert.Empty(Folders());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root, ".alchemytypes", "meta")));
        Assert.True(Directory.Exists(Path.Combine(_root, ".alchemytypes", "tmp")), "the backend's own folders stay");
    }

    [Fact]
    [Promise("P-STORE-09")]
    public async Task A_delete_keeps_the_folders_that_still_hold_objects()
    {
        await _backend.UploadAsync("docs/2026/a.txt", Content("a"));
        await _backend.UploadAsync("docs/2026/b.txt", Content("b"));
        await _backend.UploadAsync("docs/c.txt", Content("c"));

        await _backend.DeleteAsync("docs/2026/a.txt");
        Assert.True(await _backend.ExistsAsync("docs/2026/b.txt"));
        Assert.Equal(["docs", Path.Combine("docs", "2026")], Folders());
        Assert.Equal(["docs", Path.Combine("docs", "2026")], SidecarFolders());

        await _backend.DeleteAsync("docs/2026/b.txt");
        Assert.Equal(["docs"], Folders());
        Assert.Equal(["docs"], SidecarFolders());
        await using var c = await _backend.OpenReadAsync("docs/c.txt");
        Assert.Equal("c", await new StreamReader(c).ReadToEndAsync());
    }

    [Fact]
    [Promise("P-STORE-09")]
    public async Task Uploads_racing_with_deletes_in_the_same_folder_all_succeed_and_nothing_is_lost()
    {
        const int Rounds = 150;
        // Each round deletes the only object of a folder (so the delete removes the folder) while an upload into that same
        // folder runs: the upload must recreate the folder, never fail, and its object must stay readable.
        for (var i = 0; i < Rounds; i++)
        {
            await _backend.UploadAsync($"shared/r{i}/old-{i}.txt", Content("old"));
        }

        await Parallel.ForAsync(0, Rounds, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var upload = Task.Run(() => _backend.UploadAsync($"shared/r{i}/new-{i}.txt", Content($"new {i}")));
            var delete = Task.Run(() => _backend.DeleteAsync($"shared/r{i}/old-{i}.txt"));
            await Task.WhenAll(upload, delete);
        });

        for (var i = 0; i < Rounds; i++)
        {
            Assert.False(await _backend.ExistsAsync($"shared/r{i}/old-{i}.txt"));
            await using var stream = await _backend.OpenReadAsync($"shared/r{i}/new-{i}.txt");
            Assert.Equal($"new {i}", await new StreamReader(stream).ReadToEndAsync());
        }

        Assert.Equal(Rounds, (await _backend.DeleteManyAsync([.. Enumerable.Range(0, Rounds).Select(i => $"shared/r{i}/new-{i}.txt")])).Deleted.Count);
        Assert.Empty(Folders());
        Assert.Empty(SidecarFolders());
    }

    [Fact]
    [Promise("P-STORE-10")]
    public async Task Generated_keys_keep_every_folder_small_and_leave_nothing_behind_when_deleted()
    {
        // 3,000 objects under keys the library generates: flat, that would be 3,000 folders at the root. Sharded, the root
        // holds at most 256 folders, each with one folder per object for about 3,000 / 256 of them.
        var keys = Enumerable.Range(0, 3_000).Select(i => AlchemyTypes.FileObject.FromBytes([1], $"f{i}.txt").Key).ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (key, ct) =>
            await _backend.UploadAsync(key, new MemoryStream([7]), cancellationToken: ct));

        var rootFolders = Directory.GetDirectories(_root).Where(d => Path.GetFileName(d) != ".alchemytypes").ToList();
        Assert.InRange(rootFolders.Count, 200, 256);
        Assert.All(rootFolders, f => Assert.InRange(Directory.GetDirectories(f).Length, 1, 40));
        Assert.Equal(keys.Count, await _backend.ListAsync().CountAsync());

        Assert.Equal(keys.Count, (await _backend.DeleteManyAsync(keys)).Deleted.Count);

        // The object folders are gone; the shard folders stay, as a fixed skeleton of at most 256.
        var shard = new System.Text.RegularExpressions.Regex("^[0-9a-f]{2}$");
        Assert.All(Folders(), f => Assert.Matches(shard, f));
        Assert.All(SidecarFolders(), f => Assert.Matches(shard, f));
        Assert.Equal(rootFolders.Count, Directory.GetDirectories(_root).Length - 1);
        Assert.All(Directory.GetFiles(_root, "*", SearchOption.AllDirectories), f => Assert.Contains(".alchemytypes", f, StringComparison.Ordinal));
        Assert.Empty(await _backend.ListAsync().ToListAsync());

        // A user key whose first folder looks like a shard keeps that folder too, and nothing else.
        await _backend.UploadAsync("ab/mine/file.txt", Content("x"));
        await _backend.DeleteAsync("ab/mine/file.txt");
        Assert.Contains("ab", Folders());
        Assert.DoesNotContain(Folders(), f => f.EndsWith("mine", StringComparison.Ordinal));
    }

    [Fact]
    [Promise("P-STORE-09")]
    public async Task Folders_named_like_shards_deeper_down_are_removed_when_empty()
    {
        await _backend.UploadAsync("docs/ab/file.txt", Content("x"));
        await _backend.DeleteAsync("docs/ab/file.txt");
        Assert.Empty(Folders());
        Assert.Empty(SidecarFolders());
    }

    [Fact]
    [Promise("P-STORE-09")]
    public void Synchronous_deletes_remove_empty_folders_too()
    {
        _backend.Upload("sync/one/file.bin", new MemoryStream([1, 2, 3]));
        Assert.Single(_backend.DeleteMany(["sync/one/file.bin"]).Deleted);
        Assert.Empty(Folders());
        Assert.Empty(SidecarFolders());
    }
}
