using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.FunctionalTests.Sample;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AlchemyTypes.FunctionalTests.Browser;

/// <summary>
/// Issue 21's stored XSS, in Debian's Chromium: a file declared as <c>text/xsl</c> whose body is an XHTML document with a
/// script, uploaded through the sample (a local backend that signs URLs, so downloads go through the signed-URL endpoint), must be
/// downloaded when a signed-in victim follows its link, never rendered: the script would call back into the test and set a cookie
/// in the app's origin. The same holds for an object stored as <c>text/xsl</c> before the upload rules changed (served by the
/// endpoint from its stored type), while a PNG is still displayed and plain text shown as text.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ServingBrowserTests : IAsyncLifetime
{
    // Well-formed XML in the XHTML namespace: Chromium runs its script when the response is rendered as text/xsl. No '<' or '&' in
    // the script, and it starts with text so the upload inspector sees neither HTML nor SVG.
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("""
        <?xml version="1.0"?>
        <html xmlns="http://www.w3.org/1999/xhtml"><body><p>Meeting notes</p>
        <script>document.cookie = 'xss=ran; path=/'; if (window.reportXss) { window.reportXss(location.href); }</script>
        </body></html>
        """);

    // A real 1x1 PNG, so that the browser can decode and display it.
    private static readonly byte[] Pixel = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly List<string> _scriptRan = [];
    private BrowserSession _session = null!;

    public async Task InitializeAsync()
    {
        const string prefix = "--AlchemyTypes:Storage:Backends:files:";
        _session = await BrowserSession.StartAsync([prefix + "SigningKey", Convert.ToBase64String(_signingKey),
            prefix + "BaseUrl", SampleApp.OriginPlaceholder + "/files/"]);
        await _session.Context.ExposeFunctionAsync("reportXss", (string where) =>
        {
            lock (_scriptRan)
            {
                _scriptRan.Add(where);
            }
        });
    }

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    [Promise("P-WEB-50", "P-WEB-51")]
    [Fact]
    public async Task An_uploaded_xsl_file_with_a_script_is_downloaded_and_its_script_never_runs()
    {
        var screenshots = ChromiumBrowser.ScreenshotFolder("serving-xss");
        var page = _session.Page;
        await page.GotoAsync("/");
        await BrowserFlows.SignUpAsync(page, "victim@example.com", "Victim", "correct horse battery staple");

        var upload = page.Locator("#upload-form");
        await upload.Locator("input[name=title]").FillAsync("Notes");
        await upload.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "notes.xsl", MimeType = "text/xsl", Buffer = Payload });
        await upload.Locator("input[name=attachments]").SetInputFilesAsync(new FilePayload { Name = "notes 2.xsl", MimeType = "text/xsl",
            Buffer = Payload });
        await upload.Locator("button").ClickAsync();
        await Expect(page.Locator("a", new() { HasText = "notes.xsl" })).ToBeVisibleAsync();
        var fileLink = (await page.Locator("a", new() { HasText = "notes.xsl" }).GetAttributeAsync("href"))!;
        var attachmentLink = (await page.Locator("a", new() { HasText = "notes 2.xsl" }).GetAttributeAsync("href"))!;

        // The victim follows the file's link (a redirect to the local signed URL) and the attachment's (streamed by the app).
        var fileDownload = await VisitAsync(page, fileLink);
        var attachmentDownload = await VisitAsync(page, attachmentLink);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "01-after-links.png"), FullPage = true });
        await AssertNoScriptRanAsync();
        Assert.True(fileDownload is not null, "the signed URL of an uploaded text/xsl file must be downloaded, not displayed");
        Assert.Equal("notes.xsl", fileDownload.SuggestedFilename);
        Assert.True(attachmentDownload is not null, "a streamed text/xsl attachment must be downloaded, not displayed");
        Assert.Equal("notes 2.xsl", attachmentDownload.SuggestedFilename);
    }

    [Promise("P-WEB-51", "P-WEB-52")]
    [Fact]
    public async Task The_local_endpoint_serves_an_active_type_stored_earlier_as_a_download_and_still_displays_images_and_text()
    {
        // Objects written straight to the sample's store, as an older version or another writer could have left them.
        var backend = new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
        {
            RootDirectory = _session.App.FilesRoot, SigningKey = _signingKey, BaseUrl = new Uri(_session.App.BaseAddress, "/files/"),
        });
        await backend.UploadAsync("legacy/notes.xsl", new MemoryStream(Payload), new StorageUploadOptions { ContentType = "text/xsl" });
        await backend.UploadAsync("legacy/mixed.bin", new MemoryStream(Payload), new StorageUploadOptions { ContentType = "multipart/x-mixed-replace; boundary=x" });
        await backend.UploadAsync("legacy/picture.png", new MemoryStream(Pixel), new StorageUploadOptions { ContentType = "image/png" });
        await backend.UploadAsync("legacy/script.txt", new MemoryStream(Payload), new StorageUploadOptions { ContentType = "text/plain" });
        var page = _session.Page;
        await page.GotoAsync("/");

        var xsl = await backend.GetSignedUrlAsync("legacy/notes.xsl", new SignedUrlOptions { FileName = "Protokoll März.xsl", ContentType = "text/xsl" });
        var download = await VisitAsync(page, xsl.AbsoluteUri);
        Assert.True(download is not null, "a text/xsl object must be downloaded, not displayed");
        Assert.Equal("Protokoll März.xsl", download.SuggestedFilename);
        var mixed = await backend.GetSignedUrlAsync("legacy/mixed.bin", new SignedUrlOptions());
        Assert.NotNull(await VisitAsync(page, mixed.AbsoluteUri));

        // A PNG is still displayed (and loads under the sandboxing policy); plain text is shown as text, its markup inert.
        var png = await backend.GetSignedUrlAsync("legacy/picture.png", new SignedUrlOptions { FileName = "picture.png", ContentType = "image/png" });
        Assert.Null(await VisitAsync(page, png.AbsoluteUri));
        Assert.True(await page.EvaluateAsync<bool>("document.images.length === 1 && document.images[0].complete && document.images[0].naturalWidth > 0"),
            "the PNG is displayed");
        var text = await backend.GetSignedUrlAsync("legacy/script.txt", new SignedUrlOptions { FileName = "script.txt", ContentType = "text/plain" });
        Assert.Null(await VisitAsync(page, text.AbsoluteUri));
        Assert.Contains("window.reportXss", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);

        await AssertNoScriptRanAsync();
    }

    /// <summary>Navigates like a victim following a link; returns the download if the browser saved the response instead of showing it.</summary>
    private static async Task<IDownload?> VisitAsync(IPage page, string url)
    {
        var downloading = page.WaitForDownloadAsync(new PageWaitForDownloadOptions { Timeout = 5_000 });
        try
        {
            await page.GotoAsync(url);
        }
        catch (PlaywrightException ex) when (ex.Message.Contains("Download is starting", StringComparison.Ordinal))
        {
        }

        try
        {
            return await downloading;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private async Task AssertNoScriptRanAsync()
    {
        await _session.Page.WaitForTimeoutAsync(500); // a script that ran calls back asynchronously
        lock (_scriptRan)
        {
            Assert.True(_scriptRan.Count == 0, "the uploaded script ran at " + string.Join(", ", _scriptRan));
        }

        Assert.DoesNotContain(await _session.Context.CookiesAsync(), c => c.Name == "xss");
    }
}
