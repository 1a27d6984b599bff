using System.Net;
using System.Security.Cryptography;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.DirectUploads;

/// <summary>
/// Direct uploads against a real backend: the test plays the browser (an HttpClient PUT with the target's URL and headers),
/// the app (attach and save on SQLite) and the reader (a fresh context).
/// </summary>
public abstract class DirectUploadTestBase : IAsyncLifetime
{
    protected static readonly byte[] SigningKey = RandomNumberGenerator.GetBytes(32);
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private IStorageBackend? _files;

    protected ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected IStorageBackend Files => _files ?? throw new InvalidOperationException("Not initialised.");

    protected InMemoryStorageBackend Secondary { get; } = new();

    protected HttpClient Http { get; } = new();

    /// <summary>Whether the upload URL itself refuses more bytes than declared (the local endpoint does; S3 and Azure URLs cannot).</summary>
    protected abstract bool SizeEnforcedByUploadUrl { get; }

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _files = await CreateBackendAsync();
        await using var db = NewContext();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await DisposeBackendAsync();
        await _connection.DisposeAsync();
    }

    protected abstract Task<IStorageBackend> CreateBackendAsync();

    protected abstract Task DisposeBackendAsync();

    protected LifecycleContext NewContext(byte[]? signingKey = null)
        => new(new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite(_connection)
            .AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Secondary).UseTimeProvider(Clock)
                .UseDirectUploads(new DirectUploadOptions { SigningKey = signingKey ?? SigningKey })).Options);

    /// <summary>What the browser does: PUT the bytes to the target's URL with exactly its headers.</summary>
    protected async Task<HttpResponseMessage> PutAsync(DirectUploadTarget target, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, target.Url) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in target.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await Http.SendAsync(request);
    }

    protected async Task<(DirectUploadTarget Target, Document Row)> UploadAttachAndSaveAsync(byte[] bytes, string name)
    {
        await using var db = NewContext();
        var target = await db.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = name + ".pdf", Size = bytes.Length, ContentType = "application/pdf" });
        using (var put = await PutAsync(target, bytes))
        {
            Assert.True(put.IsSuccessStatusCode, $"The browser's PUT failed: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }

        var file = await db.AttachDirectUploadAsync<Document>(d => d.File, target.Token);
        Assert.True(file.HasPendingContent);
        var row = new Document { Name = name, File = file };
        db.Add(row);
        await db.SaveChangesAsync();
        return (target, row);
    }

    /// <summary>
    /// What a holder of the upload URL can still do after the attach, before the save: write the upload place again. Through the
    /// URL where the service allows it (S3, Azure); the local endpoint never replaces, so there the test writes the object itself.
    /// </summary>
    protected async Task OverwriteAsync(DirectUploadTarget target, byte[] body, string contentType)
    {
        using (var put = await PutAsync(target, body))
        {
            if (put.IsSuccessStatusCode)
            {
                return;
            }
        }

        var key = await Files.ListAsync(new StorageListOptions { Prefix = "direct-uploads/" }).Select(o => o.Key).SingleAsync();
        using var content = new MemoryStream(body);
        await Files.UploadAsync(key, content, new StorageUploadOptions { ContentType = contentType, Overwrite = true });
    }

    protected async Task<List<string>> StoredKeysAsync() => await Files.ListAsync().Select(o => o.Key).ToListAsync();

    protected static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    protected static byte[] Pdf(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        ContentSamples.Pdf.AsSpan(0, 16).CopyTo(bytes);
        return bytes;
    }

    [Promise("P-WEB-20", "P-WEB-22", "P-WEB-29")]
    [Fact]
    public async Task Upload_directly_then_attach_save_and_read_the_same_bytes_back()
    {
        var bytes = Pdf(200_000);
        var (target, row) = await UploadAttachAndSaveAsync(bytes, "direct");
        Assert.Equal("PUT", target.Method);
        Assert.True(target.ExpiresAt > DateTimeOffset.UtcNow);
        Assert.Equal(Sha256(bytes), row.File!.Checksum);
        Assert.Equal(bytes.Length, row.File.Size);
        Assert.Equal("application/pdf", row.File.ContentType);
        Assert.Equal("direct.pdf", row.File.FileName);
        Assert.DoesNotContain(row.File.Key, target.Token, StringComparison.Ordinal);

        await using var fresh = NewContext();
        var loaded = await fresh.Documents.SingleAsync(d => d.Id == row.Id);
        Assert.Equal(bytes, await loaded.File!.GetBytesAsync());
        Assert.Equal(Sha256(bytes), loaded.File.Checksum);
        // The object the browser uploaded is removed once the save committed; the row has its own copy.
        Assert.False(await Files.ExistsAsync("direct-uploads/" + loaded.File.Key));
    }

    [Promise("P-WEB-23", "P-WEB-32")]
    [Fact]
    public async Task A_replayed_put_after_attach_changes_nothing_the_row_reads_and_the_token_attaches_once()
    {
        var bytes = Pdf(5000);
        var (target, row) = await UploadAttachAndSaveAsync(bytes, "replayed");
        using (await PutAsync(target, Pdf(7000)))
        {
            // Whatever the service answers (the local endpoint: created again in the upload place, or 409), the row is untouched.
        }

        await using var fresh = NewContext();
        var loaded = await fresh.Documents.SingleAsync(d => d.Id == row.Id);
        Assert.Equal(bytes, await loaded.File!.GetBytesAsync());
        Assert.Equal(Sha256(bytes), loaded.File.Checksum);
        var again = await Assert.ThrowsAsync<DirectUploadException>(() => fresh.AttachDirectUploadAsync<Document>(d => d.File, target.Token));
        Assert.Equal(DirectUploadFailure.AlreadyAttached, again.Failure);
    }

    [Promise("P-WEB-23")]
    [Fact]
    public async Task Two_attaches_of_one_token_before_either_save_commit_one_row_only()
    {
        var bytes = Pdf(3000);
        await using var first = NewContext();
        await using var second = NewContext();
        var target = await first.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = "twice.pdf", Size = bytes.Length });
        using (var put = await PutAsync(target, bytes))
        {
            Assert.True(put.IsSuccessStatusCode);
        }

        first.Add(new Document { Name = "first", File = await first.AttachDirectUploadAsync<Document>(d => d.File, target.Token) });
        second.Add(new Document { Name = "second", File = await second.AttachDirectUploadAsync<Document>(d => d.File, target.Token) });
        await first.SaveChangesAsync();
        var error = await Assert.ThrowsAsync<DirectUploadException>(() => second.SaveChangesAsync());
        Assert.True(error.Failure is DirectUploadFailure.AlreadyAttached or DirectUploadFailure.NotUploaded, error.Failure.ToString());

        await using var fresh = NewContext();
        Assert.Equal(["first"], await fresh.Documents.Select(d => d.Name).ToListAsync());
        Assert.Equal(bytes, await (await fresh.Documents.SingleAsync()).File!.GetBytesAsync());
    }

    [Promise("P-WEB-21", "P-WEB-32", "P-WEB-65")]
    [Fact]
    public async Task Bytes_of_a_type_the_property_refuses_fail_the_attach_and_nothing_is_committed()
    {
        await using var db = NewContext();
        var html = ContentSamples.Html;
        var target = await db.CreateDirectUploadAsync<Avatar>(a => a.Image,
            new DirectUploadRequest { FileName = "face.png", Size = html.Length, ContentType = "image/png" });
        using (var put = await PutAsync(target, html))
        {
            Assert.True(put.IsSuccessStatusCode);
        }

        var error = await Assert.ThrowsAsync<FileValidationException>(() => db.AttachDirectUploadAsync<Avatar>(a => a.Image, target.Token));
        Assert.Equal("Avatar.Image", error.Property);
        Assert.Contains("text/html", error.Message, StringComparison.Ordinal);
        Assert.Empty(await db.Avatars.ToListAsync());
        Assert.Empty(await StoredKeysAsync()); // the refused upload is removed at once, not left for reconcile's grace period
    }

    [Promise("P-WEB-63", "P-WEB-65")]
    [Fact]
    public async Task An_upload_overwritten_after_attach_with_more_than_declared_is_refused_at_save_and_removed_at_once()
    {
        await using var db = NewContext();
        var note = "thirty-three bytes of plain text."u8.ToArray();
        var target = await db.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = "note.txt", Size = note.Length, ContentType = "text/plain" });
        using (var put = await PutAsync(target, note))
        {
            Assert.True(put.IsSuccessStatusCode);
        }

        db.Add(new Document { Name = "note", File = await db.AttachDirectUploadAsync<Document>(d => d.File, target.Token) });

        // Between the attach and the save, the URL holder sends 5 MB of the same type to the same URL.
        var big = new byte[5 * 1024 * 1024];
        big.AsSpan().Fill((byte)'a');
        await OverwriteAsync(target, big, "text/plain");

        var error = await Assert.ThrowsAsync<FileValidationException>(() => db.SaveChangesAsync());
        Assert.Equal("Document.File", error.Property);
        Assert.Contains($"more than the {note.Length} declared", error.Message, StringComparison.Ordinal);
        await using var fresh = NewContext();
        Assert.Empty(await fresh.Documents.ToListAsync());
        Assert.Empty(await StoredKeysAsync()); // neither a copy under the row's key nor the upload
    }

    [Promise("P-WEB-64", "P-WEB-65")]
    [Fact]
    public async Task An_upload_overwritten_after_attach_with_other_content_is_refused_at_save_and_removed_at_once()
    {
        await using var db = NewContext();
        var text = "just some plain text, nothing more to see here...."u8.ToArray();
        var html = "<!doctype html><html><script>alert(1)</script></html>"u8.ToArray()[..text.Length];
        var target = await db.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = "note.txt", Size = text.Length, ContentType = "text/plain" });
        using (var put = await PutAsync(target, text))
        {
            Assert.True(put.IsSuccessStatusCode);
        }

        db.Add(new Document { Name = "note", File = await db.AttachDirectUploadAsync<Document>(d => d.File, target.Token) });
        await OverwriteAsync(target, html, "text/plain");   // same size, same declared type, other bytes: a page with a script

        var error = Assert.Throws<FileValidationException>(() => db.SaveChanges());   // the synchronous save checks the same
        Assert.Equal("Document.File", error.Property);
        Assert.Contains("changed after it was attached", error.Message, StringComparison.Ordinal);
        await using var fresh = NewContext();
        Assert.Empty(await fresh.Documents.ToListAsync());
        Assert.Empty(await StoredKeysAsync());
    }

    [Promise("P-WEB-21")]
    [Fact]
    public async Task Sizes_beyond_the_property_or_the_declared_size_are_refused()
    {
        await using var db = NewContext();
        var tooBig = await Assert.ThrowsAsync<FileValidationException>(() => db.CreateDirectUploadAsync<Avatar>(a => a.Image,
            new DirectUploadRequest { FileName = "big.png", Size = 1001 }));
        Assert.Equal("Avatar.Image", tooBig.Property);

        var png = new byte[900];
        ContentSamples.Png.AsSpan(0, 16).CopyTo(png);
        var target = await db.CreateDirectUploadAsync<Avatar>(a => a.Image, new DirectUploadRequest { FileName = "small.png", Size = 100 });
        using var put = await PutAsync(target, png);
        if (SizeEnforcedByUploadUrl)
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
            var missing = await Assert.ThrowsAsync<DirectUploadException>(() => db.AttachDirectUploadAsync<Avatar>(a => a.Image, target.Token));
            Assert.Equal(DirectUploadFailure.NotUploaded, missing.Failure);
        }
        else
        {
            Assert.True(put.IsSuccessStatusCode);
            var larger = await Assert.ThrowsAsync<FileValidationException>(() => db.AttachDirectUploadAsync<Avatar>(a => a.Image, target.Token));
            Assert.Contains("declared", larger.Message, StringComparison.Ordinal);
            Assert.Empty(await StoredKeysAsync()); // removed at once
        }
    }
}
