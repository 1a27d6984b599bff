using AlchemyTypes.FunctionalTests.Storage;
using AlchemyTypes.Storage;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files;

public sealed class Upload
{
    public int Id { get; set; }

    public FileObject? File { get; set; }

    [AllowedContentTypes("application/pdf")]
    public FileObject? Invoice { get; set; }
}

public sealed class UploadContext(DbContextOptions<UploadContext> options) : DbContext(options)
{
    public DbSet<Upload> Uploads => Set<Upload>();
}

/// <summary>
/// Content types come from the bytes: every signature of the table spoofed with another declared type is a typed error
/// with nothing stored; genuine files get their detected type; allowed types are checked on it; non-seekable streams work.
/// </summary>
public abstract class ContentTypeHostileInputTests(ITestStore store, InMemoryStorageBackend storage) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private UploadContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<UploadContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("uploads", storage));
        return new UploadContext(builder.Options);
    }

    public static TheoryData<string, string, string> Spoofs => new()
    {
        // sample, declared type, file name
        { "html", "application/pdf", "invoice.pdf" },
        { "svg", "image/png", "logo.png" },
        { "pdf", "image/png", "scan.png" },
        { "png", "image/jpeg", "photo.jpg" },
        { "jpeg", "image/png", "photo.png" },
        { "gif", "image/webp", "anim.webp" },
        { "webp", "image/gif", "anim.gif" },
        { "zip", "application/pdf", "archive.pdf" },
        { "docx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "book.xlsx" },
        { "xlsx", "application/pdf", "book.pdf" },
        { "pptx", "image/png", "slides.png" },
        { "mp4", "image/png", "clip.png" },
        { "text", "application/pdf", "notes.pdf" },
        { "binary", "image/png", "blob.png" },
    };

    private static byte[] Sample(string name) => name switch
    {
        "html" => ContentSamples.Html,
        "svg" => ContentSamples.Svg,
        "pdf" => ContentSamples.Pdf,
        "png" => ContentSamples.Png,
        "jpeg" => ContentSamples.Jpeg,
        "gif" => ContentSamples.Gif,
        "webp" => ContentSamples.WebP,
        "zip" => ContentSamples.PlainZip,
        "docx" => ContentSamples.Docx,
        "xlsx" => ContentSamples.Xlsx,
        "pptx" => ContentSamples.Pptx,
        "mp4" => ContentSamples.Mp4,
        "text" => ContentSamples.Text,
        "json" => ContentSamples.Json,
        _ => ContentSamples.Binary,
    };

    [Theory]
    [MemberData(nameof(Spoofs))]
    public async Task A_declared_type_the_bytes_contradict_is_refused_and_nothing_is_stored(string sample, string declared, string fileName)
    {
        var file = FileObject.FromBytes(Sample(sample), fileName, new FileObjectOptions { ContentType = declared });
        await using (var context = CreateContext())
        {
            context.Add(new Upload { File = file });
            var error = await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
            Assert.Equal("Upload.File", error.Property);
            Assert.Contains(declared, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(file.Key, storage.Keys);
        await using var check = CreateContext();
        Assert.Equal(0, await check.Uploads.CountAsync());
    }

    public static TheoryData<string, string, string> Genuine => new()
    {
        // sample, file name, stored type
        { "pdf", "report.pdf", "application/pdf" },
        { "png", "picture", "image/png" },
        { "jpeg", "photo.jpeg", "image/jpeg" },
        { "gif", "anim.gif", "image/gif" },
        { "webp", "image.bin", "image/webp" },
        { "zip", "archive.zip", "application/zip" },
        { "docx", "letter.zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
        { "xlsx", "book.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
        { "pptx", "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
        { "mp4", "clip.mov", "video/mp4" },
        { "html", "page.txt", "text/html" },
        { "svg", "drawing.xml", "image/svg+xml" },
        { "text", "data.csv", "text/csv" },
        { "json", "data.json", "application/json" },
        { "binary", "blob.dat", "application/octet-stream" },
        { "binary", "blob.png", "application/octet-stream" },
        { "text", "notes.pdf", "text/plain" },
    };

    [Theory]
    [MemberData(nameof(Genuine))]
    public async Task The_stored_type_is_the_detected_one_where_the_bytes_identify_it(string sample, string fileName, string expected)
    {
        var bytes = Sample(sample);
        var file = FileObject.FromBytes(bytes, fileName); // type guessed from the name: the bytes win
        int id;
        await using (var context = CreateContext())
        {
            var upload = new Upload { File = file };
            context.Add(upload);
            await context.SaveChangesAsync();
            id = upload.Id;
        }

        Assert.Equal(expected, file.ContentType);
        Assert.Equal(expected, (await storage.GetInfoAsync(file.Key)).ContentType);
        await using var check = CreateContext();
        var loaded = (await check.Uploads.SingleAsync(u => u.Id == id)).File!;
        Assert.Equal(expected, loaded.ContentType);
        Assert.Equal(bytes, await loaded.GetBytesAsync());
    }

    [Fact]
    public async Task Allowed_types_are_checked_on_the_detected_type_an_html_page_named_invoice_pdf_is_refused()
    {
        var page = FileObject.FromBytes(ContentSamples.Html, "invoice.pdf");
        await using (var context = CreateContext())
        {
            context.Add(new Upload { Invoice = page });
            var error = await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
            Assert.Equal("Upload.Invoice", error.Property);
            Assert.Contains("text/html", error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(page.Key, storage.Keys);
        var pdf = FileObject.FromStream(new NonSeekableStream(new MemoryStream(ContentSamples.Pdf)), "invoice");
        await using (var context = CreateContext())
        {
            context.Add(new Upload { Invoice = pdf });
            await context.SaveChangesAsync();
        }

        Assert.Equal("application/pdf", pdf.ContentType);
        Assert.Contains(pdf.Key, storage.Keys);
    }

    [Fact]
    public async Task A_non_seekable_stream_is_sniffed_and_stored_whole()
    {
        var bytes = (byte[])[.. ContentSamples.Png, .. Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31))];
        var file = FileObject.FromStream(new NonSeekableStream(new MemoryStream(bytes)), "upload",
            new FileObjectOptions { ContentType = "application/octet-stream" });
        await using (var context = CreateContext())
        {
            context.Add(new Upload { File = file });
            await context.SaveChangesAsync();
        }

        Assert.Equal("image/png", file.ContentType);
        Assert.Equal(bytes.Length, file.Size);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), file.Checksum);
        Assert.Equal(bytes, await file.GetBytesAsync());
    }
}

public sealed class SqliteContentTypeHostileInputTests() : ContentTypeHostileInputTests(new SqliteTestStore(), Storage)
{
    private static readonly InMemoryStorageBackend Storage = new();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresContentTypeHostileInputTests(PostgresServerFixture server) : ContentTypeHostileInputTests(new PostgresTestStore(server), Storage)
{
    private static readonly InMemoryStorageBackend Storage = new();
}
