using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;

namespace AlchemyTypes.FunctionalTests.Storage;

/// <summary>Hostile keys and links against the local backend: nothing may be read or written outside the root.</summary>
public sealed class LocalFileSystemPathTraversalTests : IDisposable
{
    private readonly string _sandbox = TestEnvironment.CreateTempDirectory("alchemytypes-traversal");
    private readonly string _root;
    private readonly string _outside;
    private readonly LocalFileSystemStorageBackend _backend;

    public LocalFileSystemPathTraversalTests()
    {
        _root = Path.Combine(_sandbox, "root");
        _outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "top secret");
        _backend = new LocalFileSystemStorageBackend(_root);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    [Promise("P-STORE-01", "P-STORE-02", "P-STORE-03")]
    [Theory]
    [InlineData("../outside/secret.txt")]
    [InlineData("a/../../outside/secret.txt")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/Windows/win.ini")]
    [InlineData("c:secret.txt")]
    [InlineData("..\\outside\\secret.txt")]
    [InlineData("a\\..\\..\\outside")]
    [InlineData("ok/\0/../../outside/secret.txt")]
    [InlineData("a/\u0001b")]
    [InlineData(".alchemytypes/meta/x.json")]
    [InlineData(".ALCHEMYTYPES/tmp/x")]
    public async Task Hostile_keys_are_rejected_and_nothing_outside_changes(string key)
    {
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.UploadAsync(key, new MemoryStream("pwned"u8.ToArray()),
            new StorageUploadOptions { Overwrite = true }));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.OpenReadAsync(key));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.DeleteAsync(key));
        Assert.Equal("top secret", await File.ReadAllTextAsync(Path.Combine(_outside, "secret.txt")));
        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
    }

    [Promise("P-STORE-01")]
    [Fact]
    public async Task A_key_longer_than_1024_bytes_is_rejected()
    {
        var key = string.Join('/', Enumerable.Repeat("segment", 200));
        var error = await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.UploadAsync(key, new MemoryStream([1])));
        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Promise("P-STORE-02")]
    [Fact]
    public async Task A_folder_link_pointing_outside_the_root_is_refused_for_reads_and_writes()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);

        var read = await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.OpenReadAsync("escape/secret.txt"));
        Assert.Contains("symbolic link", read.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.UploadAsync("escape/new.txt", new MemoryStream([1])));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.DeleteAsync("escape/secret.txt"));
        Assert.True(File.Exists(Path.Combine(_outside, "secret.txt")));
        Assert.False(File.Exists(Path.Combine(_outside, "new.txt")));
    }

    [Promise("P-STORE-02")]
    [Fact]
    public async Task A_file_link_pointing_outside_the_root_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_root, "docs"));
        File.CreateSymbolicLink(Path.Combine(_root, "docs", "passwd"), Path.Combine(_outside, "secret.txt"));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.OpenReadAsync("docs/passwd"));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.UploadAsync("docs/passwd", new MemoryStream([1]),
            new StorageUploadOptions { Overwrite = true }));
        Assert.Equal("top secret", await File.ReadAllTextAsync(Path.Combine(_outside, "secret.txt")));
    }

    [Promise("P-STORE-02")]
    [Fact]
    public async Task A_link_that_stays_inside_the_root_is_followed()
    {
        await _backend.UploadAsync("real/file.txt", new MemoryStream("inside"u8.ToArray()));
        Directory.CreateSymbolicLink(Path.Combine(_root, "alias"), Path.Combine(_root, "real"));
        await using var stream = await _backend.OpenReadAsync("alias/file.txt");
        using var reader = new StreamReader(stream);
        Assert.Equal("inside", await reader.ReadToEndAsync());
    }

    [Promise("P-STORE-06")]
    [Fact]
    public async Task Writes_are_atomic_renames_from_the_backend_temp_folder()
    {
        // A reader that opens the file while an upload is in flight sees the whole previous version; the new bytes are in
        // the backend's temp folder until the rename.
        await _backend.UploadAsync("atomic.bin", new MemoryStream(new byte[100_000]));
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upload = Task.Run(() => _backend.UploadAsync(
            "atomic.bin",
            new CallbackStream(new MemoryStream(Enumerable.Repeat((byte)7, 2_000_000).ToArray()), afterBytes: 500_000, callback: () =>
            {
                halfway.SetResult();
                gate.Task.Wait();
            }),
            new StorageUploadOptions { Overwrite = true }));
        try
        {
            await halfway.Task.WaitAsync(TimeSpan.FromMinutes(1)); // the upload has read at least 500,000 bytes and now waits
            Assert.Equal(new byte[100_000], await File.ReadAllBytesAsync(Path.Combine(_root, "atomic.bin")));
            Assert.Single(Directory.GetFiles(Path.Combine(_root, ".alchemytypes", "tmp")));
        }
        finally
        {
            gate.SetResult();
        }

        await upload;
        Assert.All(await File.ReadAllBytesAsync(Path.Combine(_root, "atomic.bin")), b => Assert.Equal(7, b));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, ".alchemytypes", "tmp")));
    }
}
