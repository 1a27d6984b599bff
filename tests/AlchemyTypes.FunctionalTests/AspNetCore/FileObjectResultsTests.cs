using System.Text;
using AlchemyTypes.AspNetCore;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.AspNetCore;

/// <summary>The HTTP helpers against a real stored file, executed on ASP.NET Core's own HttpContext.</summary>
public sealed class FileObjectResultsTests : IAsyncLifetime
{
    private static readonly InMemoryStorageBackend Files = new();
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly byte[] _content = Encoding.ASCII.GetBytes("0123456789abcdefghijklmnopqrstuvwxyz");
    private FileObject _file = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite(_connection)
            .AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Files)).Options;
        await using var context = new LifecycleContext(options);
        await context.Database.EnsureCreatedAsync();
        var document = new Document { Name = "http", File = FileObject.FromBytes(_content, "résumé final.txt") };
        context.Add(document);
        await context.SaveChangesAsync();
        _file = document.File!;
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    private static async Task<(HttpResponse Response, byte[] Body)> Execute(IResult result, string method = "GET", Action<HttpRequest>? request = null)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        request?.Invoke(context.Request);
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return (context.Response, body.ToArray());
    }

    [Theory]
    [InlineData("html", "text/html", "attachment")]
    [InlineData("svg", "image/svg+xml", "attachment")]
    [InlineData("png", "image/png", "inline")]
    public async Task Html_and_svg_are_never_served_inline(string sample, string type, string disposition)
    {
        var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite(_connection)
            .AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Files)).Options;
        await using var context = new LifecycleContext(options);
        var bytes = sample switch { "html" => ContentSamples.Html, "svg" => ContentSamples.Svg, _ => ContentSamples.Png };
        var document = new Document { Name = sample, File = FileObject.FromBytes(bytes, "upload.txt") };
        context.Add(document);
        await context.SaveChangesAsync();

        var (response, _) = await Execute(FileObjectResults.Stream(document.File!, inline: true));
        Assert.Equal(type, response.ContentType);
        Assert.StartsWith(disposition + ";", response.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.XContentTypeOptions.ToString());
    }

    [Promise("P-WEB-01", "P-WEB-06")]
    [Fact]
    public async Task Whole_file_with_type_length_etag_and_file_name()
    {
        var (response, body) = await Execute(FileObjectResults.Stream(_file));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, body);
        Assert.Equal("text/plain", response.ContentType);
        Assert.Equal(_content.Length, response.ContentLength);
        Assert.Equal("bytes", response.Headers.AcceptRanges.ToString());
        Assert.Equal("nosniff", response.Headers.XContentTypeOptions.ToString());
        Assert.Equal(_file.ETag, response.Headers.ETag.ToString());
        Assert.StartsWith("attachment", response.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.Contains("filename*=UTF-8''r%C3%A9sum%C3%A9%20final.txt", response.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bytes=10-19", 10, 19)]
    [InlineData("bytes=30-", 30, 35)]
    [InlineData("bytes=-6", 30, 35)]
    [InlineData("bytes=0-1000", 0, 35)]
    public async Task Single_ranges_are_served_as_206(string range, int first, int last)
    {
        var (response, body) = await Execute(FileObjectResults.Stream(_file), request: r => r.Headers.Range = range);
        Assert.Equal(206, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/{_content.Length}", response.Headers.ContentRange.ToString());
        Assert.Equal(_content[first..(last + 1)], body);
        Assert.Equal(last - first + 1, response.ContentLength);
    }

    [Promise("P-WEB-01")]
    [Fact]
    public async Task Unsatisfiable_ranges_are_416_and_odd_ones_get_the_whole_file()
    {
        var (response, body) = await Execute(FileObjectResults.Stream(_file), request: r => r.Headers.Range = "bytes=100-200");
        Assert.Equal(416, response.StatusCode);
        Assert.Equal($"bytes */{_content.Length}", response.Headers.ContentRange.ToString());
        Assert.Empty(body);

        (response, body) = await Execute(FileObjectResults.Stream(_file), request: r => r.Headers.Range = "bytes=0-1,5-6");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, body);

        (response, body) = await Execute(FileObjectResults.Stream(_file), request: r => r.Headers.Range = "items=0-1");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, body);
    }

    [Promise("P-WEB-01")]
    [Fact]
    public async Task A_matching_If_None_Match_is_304_and_HEAD_sends_no_body()
    {
        var (response, body) = await Execute(FileObjectResults.Stream(_file), request: r => r.Headers.IfNoneMatch = _file.ETag);
        Assert.Equal(304, response.StatusCode);
        Assert.Empty(body);

        (response, body) = await Execute(FileObjectResults.Stream(_file, inline: true), method: "HEAD");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content.Length, response.ContentLength);
        Assert.StartsWith("inline", response.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.Empty(body);
    }

    [Promise("P-URL-01")]
    [Fact]
    public async Task Download_falls_back_to_streaming_when_the_backend_cannot_sign()
    {
        Assert.False(_file.CanSignUrls);
        Assert.Throws<StorageCapabilityException>(() => FileObjectResults.RedirectToSignedUrl(_file));
        var (response, body) = await Execute(FileObjectResults.Download(_file));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, body);
    }

    [Promise("P-WEB-03")]
    [Fact]
    public void Form_files_become_FileObjects_with_a_safe_name_and_the_browser_content_type()
    {
        using var stream = new MemoryStream(_content);
        var form = new FormFile(stream, 0, _content.Length, "file", @"C:\fakepath\scan.pdf") { Headers = new HeaderDictionary(),
            ContentType = "application/pdf" };
        var file = form.ToFileObject();
        Assert.Equal("scan.pdf", file.FileName);
        Assert.Equal("application/pdf", file.ContentType);
        Assert.True(file.HasPendingContent);

        var odd = new FormFile(stream, 0, _content.Length, "file", "photo.png") { Headers = new HeaderDictionary(), ContentType = "bogus\r\nX: y" };
        Assert.Equal("image/png", odd.ToFileObject().ContentType);
        var nameless = new FormFile(stream, 0, _content.Length, "file", @"C:\fakepath\") { Headers = new HeaderDictionary() };
        Assert.Throws<ArgumentException>(() => nameless.ToFileObject());
    }
}
