using System.Security.Cryptography;
using System.Text.Json;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AlchemyTypes.FunctionalTests.Browser;

/// <summary>
/// The sample app in a real browser (Debian's chromium, driven by Playwright): what a person does, clicked and typed,
/// with a screenshot of every step in <c>artifacts/test-screenshots/sample-browser</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SampleBrowserTests : IAsyncLifetime
{
    private BrowserSession _session = null!;
    private readonly string _screenshots = ChromiumBrowser.ScreenshotFolder("sample-browser");
    private int _step;

    public async Task InitializeAsync() => _session = await BrowserSession.StartAsync([]);

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sign_up_upload_with_progress_download_replace_delete_and_the_friendly_pages()
    {
        await _session.Page.GotoAsync("/");
        await Screenshot("start");

        // The health endpoint knows the storage and the backlog of recorded deletes.
        var health = await _session.Context.APIRequest.GetAsync("/health");
        Assert.Equal(200, health.Status);
        Assert.Contains("\"status\": \"Healthy\"", await health.TextAsync(), StringComparison.Ordinal);

        await BrowserFlows.SignUpAsync(_session.Page, "ada@example.com", "Ada", "correct horse battery staple");
        await Screenshot("signed-up");

        // Upload through the form: the progress bar reports the upload and reaches 100 %.
        var pdf = (byte[])[.. "%PDF-1.7\n"u8, .. RandomNumberGenerator.GetBytes(6 * 1024 * 1024)];
        var upload = _session.Page.Locator("#upload-form");
        await upload.Locator("input[name=title]").FillAsync("Report");
        await upload.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "report.pdf", MimeType = "application/pdf", Buffer = pdf });
        await upload.Locator("button").ClickAsync();
        await Expect(_session.Page.Locator("a", new() { HasText = "report.pdf" })).ToBeVisibleAsync();
        var progress = JsonSerializer.Deserialize<int[]>(await _session.Page.EvaluateAsync<string>("sessionStorage.getItem('lastUploadProgress')"))!;
        Assert.NotEmpty(progress);
        Assert.Equal(100, progress[^1]);
        Assert.Equal(progress.Order(), progress);
        await Screenshot("uploaded");

        // Download through the link and compare the bytes.
        var link = await _session.Page.Locator("a", new() { HasText = "report.pdf" }).GetAttributeAsync("href");
        var downloaded = await _session.Page.APIRequest.GetAsync(link!);
        Assert.Equal(200, downloaded.Status);
        Assert.Equal(pdf, await downloaded.BodyAsync());
        var firstKey = StoredKeyOf("report.pdf");

        // Replace the file: the new one is served, the old object is gone from storage after the commit.
        var replacement = (byte[])[.. "%PDF-1.4\n"u8, .. RandomNumberGenerator.GetBytes(200_000)];
        var replace = _session.Page.Locator("form[action$='/replace']");
        await replace.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "report-v2.pdf", MimeType = "application/pdf",
            Buffer = replacement });
        await replace.Locator("button").ClickAsync();
        await Expect(_session.Page.Locator("a", new() { HasText = "report-v2.pdf" })).ToBeVisibleAsync();
        var replacedLink = await _session.Page.Locator("a", new() { HasText = "report-v2.pdf" }).GetAttributeAsync("href");
        Assert.Equal(replacement, await (await _session.Page.APIRequest.GetAsync(replacedLink!)).BodyAsync());
        Assert.False(File.Exists(Path.Combine(_session.App.FilesRoot, firstKey)), "the replaced file is gone from storage");
        await Screenshot("replaced");

        // A file whose bytes contradict its name and type gets a page saying why, and nothing is stored.
        await _session.Page.GotoAsync("/");
        var objectsBefore = StoredObjectCount();
        await upload.Locator("input[name=title]").FillAsync("Invoice");
        await upload.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "invoice.pdf", MimeType = "application/pdf",
            Buffer = "<!doctype html><html><script>alert(1)</script></html>"u8.ToArray() });
        await upload.Locator("button").ClickAsync();
        await Expect(_session.Page.Locator("#problem h1")).ToHaveTextAsync("That file was not accepted");
        Assert.Equal("422", await _session.Page.Locator("#problem").GetAttributeAsync("data-status"));
        await Expect(_session.Page.Locator("#problem-message")).ToContainTextAsync("application/pdf");
        await Screenshot("refused-file");
        Assert.Equal(objectsBefore, StoredObjectCount());

        // Upload straight to storage (for the local backend: the app's own signed endpoint), with its progress bar.
        var direct = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        await _session.Page.GotoAsync("/");
        await BrowserFlows.DirectUploadAsync(_session.Page, _session.Context, "Direct", "direct.bin", direct);
        await Screenshot("direct-upload");
        await _session.Page.Locator("tr", new() { HasText = "direct.bin" }).Locator("form[action$='/delete']:not([action*='attachments']) button").ClickAsync();
        await Expect(_session.Page.Locator("#flash")).ToContainTextAsync("removed from storage");

        // Delete the document: the page shows that its object is gone.
        await _session.Page.GotoAsync("/");
        var key = StoredKeyOf("report-v2.pdf");
        await _session.Page.Locator("form[action$='/delete']:not([action*='attachments']) button").ClickAsync();
        await Expect(_session.Page.Locator("#flash")).ToContainTextAsync("removed from storage");
        Assert.False(File.Exists(Path.Combine(_session.App.FilesRoot, key)), "the deleted file is gone from storage");
        await Expect(_session.Page.Locator("a", new() { HasText = "report-v2.pdf" })).ToHaveCountAsync(0);
        await Screenshot("deleted");

        // Sign out, then a wrong password: a page that says what to do, with 401.
        await _session.Page.Locator("form[action='/signout'] button").ClickAsync();
        var signIn = _session.Page.Locator("form[action='/signin']");
        await signIn.Locator("input[name=email]").FillAsync("ada@example.com");
        await signIn.Locator("input[name=password]").FillAsync("wrong horse");
        var response = await _session.Page.RunAndWaitForResponseAsync(() => signIn.Locator("button").ClickAsync(), r => r.Url.EndsWith("/signin", StringComparison.Ordinal));
        Assert.Equal(401, response.Status);
        await Expect(_session.Page.Locator("#problem h1")).ToHaveTextAsync("Wrong email or password");
        await Screenshot("wrong-password");

        // And the right one signs in.
        await _session.Page.Locator("#back").ClickAsync();
        await signIn.Locator("input[name=email]").FillAsync("ada@example.com");
        await signIn.Locator("input[name=password]").FillAsync("correct horse battery staple");
        await signIn.Locator("button").ClickAsync();
        await Expect(_session.Page.Locator("body")).ToContainTextAsync("Signed in as Ada");
    }

    // Keys are never shown on the page: found in the sample's storage folder by the file name they end with.
    private string StoredKeyOf(string fileName)
        => Path.GetRelativePath(_session.App.FilesRoot, Assert.Single(Directory.EnumerateFiles(_session.App.FilesRoot, "*", SearchOption.AllDirectories),
            f => f.EndsWith(Path.DirectorySeparatorChar + fileName, StringComparison.Ordinal)));

    private int StoredObjectCount()
        => Directory.Exists(_session.App.FilesRoot) ? Directory.EnumerateFiles(_session.App.FilesRoot, "*", SearchOption.AllDirectories).Count() : 0;

    private Task Screenshot(string name)
        => _session.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, $"{++_step:00}-{name}.png"), FullPage = true });
}
