using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;

namespace AlchemyTypes.FunctionalTests.Storage;

/// <summary>
/// The local backend's hostile-input catalogue beyond single keys: chains of links that leave the root, link loops, keys
/// too long for the file system, a losing concurrent upload, and a root removed while the application runs.
/// </summary>
public sealed class LocalFileSystemHostileInputTests : IDisposable
{
    private readonly string _sandbox = TestEnvironment.CreateTempDirectory("alchemytypes-hostile");
    private readonly string _root;
    private readonly string _outside;
    private readonly LocalFileSystemStorageBackend _backend;

    public LocalFileSystemHostileInputTests()
    {
        _root = Path.Combine(_sandbox, "root");
        _outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(Path.Combine(_outside, "sub"));
        File.WriteAllText(Path.Combine(_outside, "sub", "secret.txt"), "top secret");
        _backend = new LocalFileSystemStorageBackend(_root);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private static MemoryStream Content(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    private async Task AssertRefusedEverywhere(string key)
    {
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.UploadAsync(key, Content("pwned"), new StorageUploadOptions { Overwrite = true }));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.OpenReadAsync(key));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.ExistsAsync(key));
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.DeleteAsync(key));
        Assert.Equal("top secret", File.ReadAllText(Path.Combine(_outside, "sub", "secret.txt")));
        Assert.Equal(["secret.txt"], Directory.GetFiles(Path.Combine(_outside, "sub")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_chain_of_links_inside_the_root_that_leads_out_is_refused()
    {
        // root/b -> outside (a link out), root/a -> b/sub: "a" names root/b/sub, which looks inside the root but is outside/sub.
        Directory.CreateDirectory(_root);
        Directory.CreateSymbolicLink(Path.Combine(_root, "b"), _outside);
        Directory.CreateSymbolicLink(Path.Combine(_root, "a"), "b/sub");
        await AssertRefusedEverywhere("a/secret.txt");
        await AssertRefusedEverywhere("a/new.txt");
    }

    [Fact]
    public async Task A_chain_through_a_linked_file_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_root, "docs"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "hop"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "docs", "report.txt"), Path.Combine(_root, "hop", "sub", "secret.txt"));
        await AssertRefusedEverywhere("docs/report.txt");
    }

    [Fact]
    public async Task A_loop_of_links_is_refused()
    {
        Directory.CreateDirectory(_root);
        Directory.CreateSymbolicLink(Path.Combine(_root, "l1"), "l2");
        Directory.CreateSymbolicLink(Path.Combine(_root, "l2"), "l1");
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.UploadAsync("l1/x.txt", Content("x")));
    }

    [Fact]
    public async Task Links_that_stay_inside_the_root_still_work()
    {
        await _backend.UploadAsync("real/file.txt", Content("inside"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "alias"), "real");
        await using var stream = await _backend.OpenReadAsync("alias/file.txt");
        Assert.Equal("inside", await new StreamReader(stream).ReadToEndAsync());
    }

    [Theory]
    [InlineData(251)]
    [InlineData(300)]
    public async Task A_key_too_long_for_the_file_system_is_an_InvalidStorageKeyException_and_nothing_is_written(int segmentBytes)
    {
        var key = "long/" + new string('k', segmentBytes);
        var error = await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.UploadAsync(key, Content("x")));
        Assert.Contains("too long", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidStorageKeyException>(() => _backend.GetInfoAsync(key));
        Assert.False(Directory.Exists(Path.Combine(_root, "long")) && Directory.EnumerateFileSystemEntries(Path.Combine(_root, "long")).Any());
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, ".alchemytypes"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_longest_segment_allowed_round_trips_with_its_metadata()
    {
        var key = "long/" + new string('k', 250);
        await _backend.UploadAsync(key, Content("fits"), new StorageUploadOptions { ContentType = "text/plain",
            Metadata = new Dictionary<string, string> { ["a"] = "b" } });
        var info = await _backend.GetInfoAsync(key);
        Assert.Equal("text/plain", info.ContentType);
        Assert.Equal("b", info.Metadata["a"]);
    }

    [Fact]
    public async Task Only_the_upload_that_won_a_race_on_one_key_writes_metadata()
    {
        var gate = new TaskCompletionSource();
        var slow = new GatedStream(Content("loser content"), gate.Task);
        var loser = _backend.UploadAsync("race/key.txt", slow, new StorageUploadOptions { ContentType = "text/x-loser",
            Metadata = new Dictionary<string, string> { ["who"] = "loser" } });
        await slow.Started;
        var winner = await _backend.UploadAsync("race/key.txt", Content("winner "
            + "content"), new StorageUploadOptions { ContentType = "text/x-winner", Metadata = new Dictionary<string, string> { ["who"] = "winner" } });
        gate.SetResult();
        await Assert.ThrowsAsync<StorageObjectExistsException>(() => loser);

        var info = await _backend.GetInfoAsync("race/key.txt");
        Assert.Equal("winner", info.Metadata["who"]);
        Assert.Equal("text/x-winner", info.ContentType);
        Assert.Equal(winner.ETag, info.ETag);
        await using var stream = await _backend.OpenReadAsync("race/key.txt");
        Assert.Equal("winner content", await new StreamReader(stream).ReadToEndAsync());
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, ".alchemytypes", "tmp")));
    }

    [Fact]
    public async Task A_root_removed_while_the_application_runs_is_recreated_by_the_next_upload()
    {
        await _backend.UploadAsync("before.txt", Content("1"));
        Directory.Delete(_root, recursive: true);
        await _backend.UploadAsync("after/file.txt", Content("2"), new StorageUploadOptions { Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.Equal("v", (await _backend.GetInfoAsync("after/file.txt")).Metadata["k"]);
        Assert.False(await _backend.ExistsAsync("before.txt"));
    }

    /// <summary>Blocks its first read until the gate opens, and says when that read began.</summary>
    private sealed class GatedStream(Stream inner, Task gate) : Stream
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            await gate.WaitAsync(cancellationToken);
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
