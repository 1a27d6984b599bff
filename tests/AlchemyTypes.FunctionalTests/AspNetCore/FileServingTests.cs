using System.Net;
using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.AspNetCore;
using AlchemyTypes.FunctionalTests.DirectUploads;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using AlchemyTypes.Files.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HttpContentDisposition = System.Net.Http.Headers.ContentDispositionHeaderValue;

namespace AlchemyTypes.FunctionalTests.AspNetCore;

/// <summary>
/// Issue 21: what a browser gets for a stored file. Inline only for the allowlist, attachment with the real name otherwise, and
/// <c>nosniff</c> plus the sandboxing policy on every response of <c>FileObjectResults.Stream</c> and the local signed-URL endpoint,
/// whatever type an uploader managed to store (text/xsl, multipart/x-mixed-replace…).
/// </summary>
public sealed class FileServingTests : IAsyncLifetime
{
    private static readonly byte[] Content = Encoding.ASCII.GetBytes("0123456789abcdefghijklmnopqrstuvwxyz");
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-serving");
    private readonly HttpClient _http = new();
    private readonly InMemoryStorageBackend _memory = new();
    private LocalStorageHost _host = null!;

    public async Task InitializeAsync() => _host = await LocalStorageHost.StartAsync(_root, RandomNumberGenerator.GetBytes(32));

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Promise("P-WEB-50")]
    [Theory]
    [InlineData("image/png", true)]
    [InlineData("IMAGE/JPEG", true)]
    [InlineData("image/webp", true)]
    [InlineData("video/mp4", true)]
    [InlineData("audio/mpeg", true)]
    [InlineData("text/plain; charset=utf-8", true)]
    [InlineData("text/xsl", false)]
    [InlineData("text/html", false)]
    [InlineData("application/xhtml+xml", false)]
    [InlineData("image/svg+xml", false)]
    [InlineData("application/xml", false)]
    [InlineData("text/xml", false)]
    [InlineData("application/xslt+xml", false)]
    [InlineData("multipart/x-mixed-replace; boundary=x", false)]
    [InlineData("application/pdf", false)]
    [InlineData("text/javascript", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("application/x-anything-new", false)]
    [InlineData("image/png\r\nX-Injected: 1", false)]
    [InlineData("", false)]
    public void Only_allowlisted_types_are_inline(string contentType, bool inline)
    {
        Assert.Equal(inline, FileServing.CanDisplayInline(contentType));
        Assert.StartsWith(inline ? "inline;" : "attachment;", FileServing.ContentDisposition("f.bin", contentType, inlineRequested: true),
            StringComparison.Ordinal);
        Assert.StartsWith("attachment;", FileServing.ContentDisposition("f.bin", contentType, inlineRequested: false), StringComparison.Ordinal);
    }

    [Promise("P-WEB-53")]
    [Theory]
    [InlineData("résumé final.txt", "résumé final.txt", "r_sum_ final.txt")]
    [InlineData("Протокол.pdf", "Протокол.pdf", "________.pdf")]
    [InlineData("报告 2026.xlsx", "报告 2026.xlsx", "__ 2026.xlsx")]
    [InlineData("a\"b\".txt", "a_b_.txt", "a_b_.txt")]
    [InlineData("evil\r\nSet-Cookie: x=1.txt", "evil__Set-Cookie: x=1.txt", "evil__Set-Cookie: x=1.txt")]
    [InlineData("../../etc/passwd", ".._.._etc_passwd", ".._.._etc_passwd")]
    [InlineData("..\\windows\\win.ini", ".._windows_win.ini", ".._windows_win.ini")]
    [InlineData("100%; filename=x.exe", "100%; filename=x.exe", "100_; filename=x.exe")]
    [InlineData("emoji 😀.png", "emoji 😀.png", "emoji __.png")]
    [InlineData("bidi\u202Egnp.exe", "bidi_gnp.exe", "bidi_gnp.exe")]
    [InlineData("", "file", "file")]
    [InlineData("...", "file", "file")]
    public void Dispositions_carry_the_real_name_safely(string fileName, string expectedName, string expectedFallback)
    {
        var header = FileServing.ContentDisposition(fileName, "application/octet-stream", inlineRequested: false);

        Assert.All(header, c => Assert.InRange(c, ' ', '~')); // printable ASCII only: no CR/LF, safe in a header and a signed URL
        var parsed = HttpContentDisposition.Parse(header);
        Assert.Equal("attachment", parsed.DispositionType);
        Assert.Equal(expectedName, parsed.FileNameStar);
        Assert.Equal(expectedFallback, parsed.FileName?.Trim('"'));
        Assert.Equal(2, parsed.Parameters.Count); // the name cannot smuggle in another parameter
    }

    [Promise("P-WEB-51")]
    [Fact]
    public async Task Every_stream_response_has_nosniff_and_the_sandbox_policy_200_206_304_416_and_HEAD()
    {
        var file = await StoreAsync("docs/a.txt", Content, "text/plain");
        void AssertHardened(HttpResponse response, int status)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("nosniff", response.Headers.XContentTypeOptions.ToString());
            Assert.Equal("sandbox; default-src 'none'; style-src 'unsafe-inline'", response.Headers.ContentSecurityPolicy.ToString());
        }

        AssertHardened((await ExecuteAsync(FileObjectResults.Stream(file, inline: true))).Response, 200);
        AssertHardened((await ExecuteAsync(FileObjectResults.Stream(file), r => r.Headers.Range = "bytes=2-5")).Response, 206);
        AssertHardened((await ExecuteAsync(FileObjectResults.Stream(file), r => r.Headers.IfNoneMatch = file.ETag)).Response, 304);
        AssertHardened((await ExecuteAsync(FileObjectResults.Stream(file), r => r.Headers.Range = "bytes=500-")).Response, 416);
        AssertHardened((await ExecuteAsync(FileObjectResults.Stream(file), method: "HEAD")).Response, 200);
        AssertHardened((await ExecuteAsync(FileObjectResults.Download(file))).Response, 200);
    }

    [Promise("P-WEB-50", "P-WEB-54")]
    [Theory]
    [InlineData("text/xsl", "text/xsl")]
    [InlineData("multipart/x-mixed-replace; boundary=x", "application/octet-stream")]
    [InlineData("message/rfc822", "application/octet-stream")]
    [InlineData("image/svg+xml", "image/svg+xml")]
    public async Task Active_types_stored_anyhow_are_attachments_even_when_inline_is_asked(string stored, string served)
    {
        var file = await StoreAsync("docs/notes.xsl", Content, stored, "Notes März.xsl");

        var (response, body) = await ExecuteAsync(FileObjectResults.Stream(file, inline: true));

        Assert.Equal(Content, body);
        Assert.Equal(served, response.ContentType);
        var disposition = HttpContentDisposition.Parse(response.Headers.ContentDisposition.ToString());
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("Notes März.xsl", disposition.FileNameStar);
    }

    [Promise("P-WEB-52", "P-WEB-54")]
    [Fact]
    public async Task The_local_endpoint_names_the_download_as_signed_and_decides_inline_from_the_stored_type()
    {
        var backend = _host.Backend;
        await backend.UploadAsync("docs/notes.xsl", new MemoryStream(Content), new StorageUploadOptions { ContentType = "text/xsl" });
        await backend.UploadAsync("docs/mixed.bin", new MemoryStream(Content), new StorageUploadOptions { ContentType = "multipart/x-mixed-replace; boundary=x" });
        await backend.UploadAsync("docs/p.png", new MemoryStream(ContentSamples.Png), new StorageUploadOptions { ContentType = "image/png" });

        // The URL asks for inline (the default); the stored text/xsl type makes it an attachment with the signed name.
        using var xsl = await _http.GetAsync(await backend.GetSignedUrlAsync("docs/notes.xsl", new SignedUrlOptions { FileName = "Notes \"März\"\r\n.xsl" }));
        Assert.Equal(HttpStatusCode.OK, xsl.StatusCode);
        Assert.Equal("attachment", xsl.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("Notes _März___.xsl", xsl.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal("text/xsl", xsl.Content.Headers.ContentType!.MediaType);
        AssertHardened(xsl);

        using var mixed = await _http.GetAsync(await backend.GetSignedUrlAsync("docs/mixed.bin", new SignedUrlOptions()));
        Assert.Equal("application/octet-stream", mixed.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", mixed.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("mixed.bin", mixed.Content.Headers.ContentDisposition.FileNameStar); // no name signed: the key's last segment

        using var png = await _http.GetAsync(await backend.GetSignedUrlAsync("docs/p.png", new SignedUrlOptions { FileName = "photo.png" }));
        Assert.Equal("inline", png.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("photo.png", png.Content.Headers.ContentDisposition.FileNameStar);
        AssertHardened(png);
        using var pngDownload = await _http.GetAsync(await backend.GetSignedUrlAsync("docs/p.png", new SignedUrlOptions { Inline = false }));
        Assert.Equal("attachment", pngDownload.Content.Headers.ContentDisposition!.DispositionType);

        // The name and the inline flag are signed: changing either is a 403, which is hardened too.
        var url = (await backend.GetSignedUrlAsync("docs/notes.xsl", new SignedUrlOptions { FileName = "notes.xsl", Inline = false })).AbsoluteUri;
        foreach (var forged in new[] { url.Replace("name=notes.xsl", "name=evil.html", StringComparison.Ordinal),
                     url.Replace("inline=0", "inline=1", StringComparison.Ordinal), url.Replace("&inline=0", "", StringComparison.Ordinal) })
        {
            Assert.NotEqual(url, forged);
            using var refused = await _http.GetAsync(forged);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            AssertHardened(refused);
        }
    }

    [Promise("P-WEB-55")]
    [Theory]
    [InlineData("text/xsl", "application/octet-stream")]
    [InlineData("multipart/x-mixed-replace; boundary=x", "application/octet-stream")]
    [InlineData("application/x-made-up", "application/octet-stream")]
    [InlineData("text/csv", "text/csv")]
    [InlineData("application/json", "application/json")]
    [InlineData("application/xml", "application/xml")]
    [InlineData("text/plain", "text/plain")]
    public async Task Uploads_declared_with_a_type_the_library_does_not_know_are_stored_as_octet_stream(string declared, string stored)
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite(connection)
            .AddAlchemyTypes(a => a.AddStorage("files", _memory).AddStorage("secondary", _memory)).Options;
        await using var context = new LifecycleContext(options);
        await context.Database.EnsureCreatedAsync();
        var document = new Document { Name = "upload", File = FileObject.FromBytes(Encoding.UTF8.GetBytes("notes\n<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">1</x:script>"),
            "notes.xsl", new FileObjectOptions { ContentType = declared }) };
        context.Add(document);
        await context.SaveChangesAsync();

        Assert.Equal(stored, document.File!.ContentType);
        Assert.Equal(stored, (await _memory.GetInfoAsync(document.File.Key)).ContentType);
    }

    [Fact]
    public async Task An_unknown_type_is_kept_when_the_property_names_it_as_allowed()
    {
        using var source = new MemoryStream("a,b"u8.ToArray());
        var (_, kept) = await UploadContentInspector.InspectAsync(source, "a.x", "application/x-custom", true, ["application/x-custom"], "P", true,
            CancellationToken.None);
        Assert.Equal("application/x-custom", kept);
        var (_, wildcard) = await UploadContentInspector.InspectAsync(new MemoryStream("a,b"u8.ToArray()), "a.x", "application/x-custom", true,
            ["application/*"], "P", true, CancellationToken.None);
        Assert.Equal("application/octet-stream", wildcard); // a wildcard does not name it
    }

    private static void AssertHardened(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(FileServing.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
    }

    private async Task<FileObject> StoreAsync(string key, byte[] content, string contentType, string? fileName = null)
    {
        var info = await _memory.UploadAsync(key, new MemoryStream(content), new StorageUploadOptions { ContentType = contentType });
        var file = FileObject.Load(fileName ?? key[(key.LastIndexOf('/') + 1)..], key, "files", info.ContentType, info.Size, null, info.ETag,
            info.LastModified, info.VersionId, null);
        file.AttachStorage(new StorageRegistry([new("files", _memory)]));
        return file;
    }

    private static async Task<(HttpResponse Response, byte[] Body)> ExecuteAsync(IResult result, Action<HttpRequest>? request = null, string method = "GET")
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        request?.Invoke(context.Request);
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return (context.Response, body.ToArray());
    }
}
