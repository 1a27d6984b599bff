using System.Security.Cryptography;
using System.Text.Json;
using AlchemyTypes.FunctionalTests.Sample;
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
    private SampleApp _app = null!;
    private ChromiumBrowser _chromium = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private readonly string _screenshots = ChromiumBrowser.ScreenshotFolder("sample-browser");
    private int _step;

    public async Task InitializeAsync()
    {
        _app = await SampleApp.StartAsync();
        _chromium = await ChromiumBrowser.LaunchAsync();
        _context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app.BaseAddress.ToString() });
        _context.SetDefaultTimeout(30_000);
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }

        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sign_up_upload_with_progress_download_replace_delete_and_the_friendly_pages()
    {
        await _page.GotoAsync("/");
        await Screenshot("start");

        // Sign up.
        var signUp = _page.Locator("form[action='/signup']");
        await signUp.Locator("input[name=email]").FillAsync("ada@example.com");
        await signUp.Locator("input[name=displayName]").FillAsync("Ada");
        await signUp.Locator("input[name=password]").FillAsync("correct horse battery staple");
        await signUp.Locator("button").ClickAsync();
        await Expect(_page.Locator("body")).ToContainTextAsync("Signed in as Ada");
        await Screenshot("signed-up");

        // Upload through the form: the progress bar reports the upload and reaches 100 %.
        var pdf = (byte[])[.. "%PDF-1.7\n"u8, .. RandomNumberGenerator.GetBytes(6 * 1024 * 1024)];
        var upload = _page.Locator("#upload-form");
        await upload.Locator("input[name=title]").FillAsync("Report");
        await upload.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "report.pdf", MimeType = "application/pdf", Buffer = pdf });
        await upload.Locator("button").ClickAsync();
        await Expect(_page.Locator("a", new() { HasText = "report.pdf" })).ToBeVisibleAsync();
        var progress = JsonSerializer.Deserialize<int[]>(await _page.EvaluateAsync<string>("sessionStorage.getItem('lastUploadProgress')"))!;
        Assert.NotEmpty(progress);
        Assert.Equal(100, progress[^1]);
        Assert.Equal(progress.Order(), progress);
        await Screenshot("uploaded");

        // Download through the link and compare the bytes.
        var link = await _page.Locator("a", new() { HasText = "report.pdf" }).GetAttributeAsync("href");
        var downloaded = await _page.APIRequest.GetAsync(link!);
        Assert.Equal(200, downloaded.Status);
        Assert.Equal(pdf, await downloaded.BodyAsync());
        var firstKey = await _page.Locator("td code").First.InnerTextAsync();

        // Replace the file: the new one is served, the old object is gone from storage after the commit.
        var replacement = (byte[])[.. "%PDF-1.4\n"u8, .. RandomNumberGenerator.GetBytes(200_000)];
        var replace = _page.Locator("form[action$='/replace']");
        await replace.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "report-v2.pdf", MimeType = "application/pdf",
            Buffer = replacement });
        await replace.Locator("button").ClickAsync();
        await Expect(_page.Locator("a", new() { HasText = "report-v2.pdf" })).ToBeVisibleAsync();
        var replacedLink = await _page.Locator("a", new() { HasText = "report-v2.pdf" }).GetAttributeAsync("href");
        Assert.Equal(replacement, await (await _page.APIRequest.GetAsync(replacedLink!)).BodyAsync());
        await _page.GotoAsync($"/?deleted={Uri.EscapeDataString(firstKey)}");
        await Expect(_page.Locator("#deleted")).ToContainTextAsync("still in storage: no");
        await Screenshot("replaced");

        // A file whose bytes contradict its name and type gets a page saying why, and nothing is stored.
        await _page.GotoAsync("/");
        var objectsBefore = StoredObjectCount();
        await upload.Locator("input[name=title]").FillAsync("Invoice");
        await upload.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "invoice.pdf", MimeType = "application/pdf",
            Buffer = "<!doctype html><html><script>alert(1)</script></html>"u8.ToArray() });
        await upload.Locator("button").ClickAsync();
        await Expect(_page.Locator("#problem h1")).ToHaveTextAsync("That file was not accepted");
        Assert.Equal("422", await _page.Locator("#problem").GetAttributeAsync("data-status"));
        await Expect(_page.Locator("#problem-message")).ToContainTextAsync("application/pdf");
        await Screenshot("refused-file");
        Assert.Equal(objectsBefore, StoredObjectCount());

        // Delete the document: the page shows that its object is gone.
        await _page.GotoAsync("/");
        var key = await _page.Locator("td code").First.InnerTextAsync();
        await _page.Locator("form[action$='/delete']:not([action*='attachments']) button").ClickAsync();
        await Expect(_page.Locator("#deleted")).ToContainTextAsync(key);
        await Expect(_page.Locator("#deleted")).ToContainTextAsync("still in storage: no");
        await Expect(_page.Locator("a", new() { HasText = "report-v2.pdf" })).ToHaveCountAsync(0);
        await Screenshot("deleted");

        // Sign out, then a wrong password: a page that says what to do, with 401.
        await _page.Locator("form[action='/signout'] button").ClickAsync();
        var signIn = _page.Locator("form[action='/signin']");
        await signIn.Locator("input[name=email]").FillAsync("ada@example.com");
        await signIn.Locator("input[name=password]").FillAsync("wrong horse");
        var response = await _page.RunAndWaitForResponseAsync(() => signIn.Locator("button").ClickAsync(), r => r.Url.EndsWith("/signin", StringComparison.Ordinal));
        Assert.Equal(401, response.Status);
        await Expect(_page.Locator("#problem h1")).ToHaveTextAsync("Wrong email or password");
        await Screenshot("wrong-password");

        // And the right one signs in.
        await _page.Locator("#back").ClickAsync();
        await signIn.Locator("input[name=email]").FillAsync("ada@example.com");
        await signIn.Locator("input[name=password]").FillAsync("correct horse battery staple");
        await signIn.Locator("button").ClickAsync();
        await Expect(_page.Locator("body")).ToContainTextAsync("Signed in as Ada");
    }

    private int StoredObjectCount()
        => Directory.Exists(_app.FilesRoot) ? Directory.EnumerateFiles(_app.FilesRoot, "*", SearchOption.AllDirectories).Count() : 0;

    private Task Screenshot(string name)
        => _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, $"{++_step:00}-{name}.png"), FullPage = true });
}
