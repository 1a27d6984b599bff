using AlchemyTypes.Storage;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Testing;

namespace AlchemyTypes.Tests.Files;

public sealed class FileObjectTests
{
    [Promise("P-FILE-02")]
    [Fact]
    public void Content_type_is_guessed_from_the_extension_else_octet_stream()
    {
        Assert.Equal("application/pdf", FileObject.FromBytes([1], "Report.PDF").ContentType);
        Assert.Equal("image/png", FileObject.FromBytes([1], "a.b.png").ContentType);
        Assert.Equal("application/octet-stream", FileObject.FromBytes([1], "noextension").ContentType);
        Assert.Equal("application/octet-stream", FileObject.FromBytes([1], "weird.zzz").ContentType);
        Assert.Equal("text/x-custom", FileObject.FromBytes([1], "a.pdf", new FileObjectOptions { ContentType = "text/x-custom" }).ContentType);
    }

    [Promise("P-FILE-03")]
    [Fact]
    public void Generated_keys_are_unique_valid_and_keep_a_safe_file_name()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => FileObject.FromBytes([1], "Mon rapport (final) é.pdf").Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.True(StorageKey.IsValid(k)));
        Assert.All(keys, k => Assert.Matches("^([0-9a-f]{2})/[0-9a-f]{30}\\1/Mon_rapport__final___.pdf$", k));
        Assert.EndsWith("/file", FileObject.FromBytes([1], "..").Key, StringComparison.Ordinal);

        // The first folder comes from random bits, so a local root stays at most 256 folders wide: 1,000 keys
        // leave about 251 distinct first folders (fewer than 200 has a probability far below 1e-20).
        Assert.InRange(keys.Select(k => k[..2]).Distinct().Count(), 200, 256);
    }

    [Fact]
    public void Both_or_neither_source_is_a_typed_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var stream = new MemoryStream([1]);
            Assert.Throws<FileObjectContentException>(() => FileObject.Create("a.txt", stream, path));
            Assert.Throws<FileObjectContentException>(() => FileObject.Create("a.txt"));
            Assert.True(FileObject.Create("a.txt", sourcePath: path).HasPendingContent);
            Assert.True(FileObject.Create("a.txt", content: stream).HasPendingContent);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Promise("P-STORE-05")]
    [Fact]
    public void Hostile_input_is_rejected_at_creation()
    {
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], ""));
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], "a\nb.txt"));
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], new string('a', 256)));
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], "a.txt", new FileObjectOptions { ContentType = "text/plain\r\nX-Injected: 1" }));
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], "a.txt", new FileObjectOptions { ContentType = "nonsense" }));
        Assert.Throws<InvalidStorageKeyException>(() => FileObject.FromBytes([1], "a.txt", new FileObjectOptions { Key = "../../etc/passwd" }));
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], "a.txt", new FileObjectOptions { Metadata = new Dictionary<string,
            string> { ["bad-name"] = "x" } }));
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], "a.txt", new FileObjectOptions { Metadata = new Dictionary<string,
            string> { ["ok"] = "caf\u00e9" } }));
        Assert.Throws<ArgumentException>(() => FileObject.FromBytes([1], "a.txt", new FileObjectOptions { Metadata = new Dictionary<string,
            string> { ["ok"] = new string('x', 3000) } }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => FileObject.FromBytes([1], "a.txt", new FileObjectOptions { Backend = "bad name!" }));
        Assert.Throws<FileNotFoundException>(() => FileObject.FromPath("/definitely/not/here.txt"));
        Assert.Throws<ArgumentException>(() => FileObject.FromStream(new UnreadableStream(), "a.txt"));
    }

    [Fact]
    public async Task An_unsaved_FileObject_cannot_be_read()
    {
        var file = FileObject.FromBytes([1, 2, 3], "a.bin");
        Assert.False(file.IsStored);
        Assert.False(file.CanSignUrls);
        await Assert.ThrowsAsync<FileObjectStateException>(() => file.OpenReadAsync());
        await Assert.ThrowsAsync<FileObjectStateException>(() => file.GetSignedUrlAsync());
    }

    [Fact]
    public void Bytes_are_copied_at_creation()
    {
        var bytes = new byte[] { 1, 2, 3 };
        var file = FileObject.FromBytes(bytes, "a.bin");
        bytes[0] = 99;
        using var stream = file.Pending!.Open("a.bin");
        Assert.Equal(1, stream.ReadByte());
    }

    [Fact]
    public void Equality_is_key_and_backend()
    {
        var a = FileObject.FromBytes([1], "a.txt", new FileObjectOptions { Key = "k/a.txt", Backend = "files" });
        var b = FileObject.FromBytes([2], "b.txt", new FileObjectOptions { Key = "k/a.txt", Backend = "files" });
        var c = FileObject.FromBytes([1], "a.txt", new FileObjectOptions { Key = "k/a.txt", Backend = "other" });
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void FileObjectList_refuses_null_items()
    {
        var list = new FileObjectList();
        Assert.Throws<ArgumentNullException>(() => list.Add(null!));
        list.Add(FileObject.FromBytes([1], "a.txt"));
        Assert.Throws<ArgumentNullException>(() => list[0] = null!);
    }

    [Promise("P-FILE-02")]
    [Fact]
    public void Json_round_trips_and_reads_advanced_alchemy_rows()
    {
        const string aaRow = """{"filename":"cat.png","path":"uploads/cat.png","backend":"s3","content_type":"image/png","size":1234,"etag":"\"abc\"","last_modified":1700000000.5,"metadata":{"alt":"a cat"},"protocol":"s3"}""";
        var file = FileObjectJson.Deserialize(aaRow, null);
        Assert.Equal("uploads/cat.png", file.Key);
        Assert.Equal("s3", file.Backend);
        Assert.Equal(1234, file.Size);
        Assert.Equal("a cat", file.Metadata["alt"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), file.LastModified);
        Assert.True(file.IsStored);

        var json = FileObjectJson.Serialize(file);
        Assert.Contains("\"key\":\"uploads/cat.png\"", json, StringComparison.Ordinal);
        var again = FileObjectJson.Deserialize(json, null);
        Assert.Equal(file.Key, again.Key);
        Assert.Equal(file.Size, again.Size);
        Assert.Equal(file.ETag, again.ETag);
        Assert.Equal(file.LastModified, again.LastModified);

        var list = FileObjectJson.DeserializeList("[" + json + "," + json + "]", null);
        Assert.Equal(2, list.Count);
        Assert.Throws<FormatException>(() => FileObjectJson.DeserializeList(json, null));
    }

    [Fact]
    public void A_pending_FileObject_cannot_be_serialised()
        => Assert.Throws<FileObjectStateException>(() => FileObjectJson.Serialize(FileObject.FromBytes([1], "a.txt")));

    [Promise("P-FILE-06")]
    [Fact]
    public async Task A_loaded_value_naming_an_unregistered_backend_fails_on_use_with_a_configuration_error()
    {
        var registry = new StorageRegistry([new("files", new InMemoryStorageBackend())]);
        var file = FileObjectJson.Deserialize("""{"filename":"a","key":"k","backend":"gone","size":1}""", registry);
        var error = await Assert.ThrowsAsync<AlchemyTypesConfigurationException>(() => file.OpenReadAsync());
        Assert.Contains("'gone'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image/png", "image/png", true)]
    [InlineData("IMAGE/PNG", "image/png", true)]
    [InlineData("image/png; charset=x", "image/png", true)]
    [InlineData("image/webp", "image/*", true)]
    [InlineData("text/plain", "image/*", false)]
    [InlineData("text/plain", "*/*", true)]
    [InlineData("image/pngx", "image/png", false)]
    public void Content_type_patterns(string type, string pattern, bool matches)
        => Assert.Equal(matches, ContentTypes.Matches(type, pattern));

    private sealed class UnreadableStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
