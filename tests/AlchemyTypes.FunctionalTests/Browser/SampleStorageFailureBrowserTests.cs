using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AlchemyTypes.FunctionalTests.Browser;

/// <summary>
/// The sample with an S3 backend whose service is not there: upload URLs are signed locally, so the page offers direct
/// uploads, but the browser's PUT cannot get through. The page must say what to check, not "failed (0)".
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SampleStorageFailureBrowserTests : IAsyncLifetime
{
    private BrowserSession _session = null!;

    public async Task InitializeAsync()
    {
        const string prefix = "--AlchemyTypes:Storage:Backends:cloud:";
        _session = await BrowserSession.StartAsync(["--AlchemyTypes:Storage:Default", "cloud", prefix + "Type", "S3", prefix + "BucketName",
            "absent", prefix + "ServiceUrl", $"http://127.0.0.1:{TestEnvironment.GetFreePort()}", prefix + "ForcePathStyle", "true",
            prefix + "AccessKey", "nobody", prefix + "SecretKey", "nothing"]);
    }

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    [Promise("P-WEB-72")]
    [Fact]
    public async Task A_direct_upload_the_storage_does_not_take_says_what_to_check()
    {
        var page = _session.Page;
        await page.GotoAsync("/");
        await BrowserFlows.SignUpAsync(page, "kim@example.com", "Kim", "correct horse battery staple");
        var form = page.Locator("#direct-form");
        await form.Locator("input[name=title]").FillAsync("Lost");
        await form.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = "lost.txt", MimeType = "text/plain", Buffer = "lost"u8.ToArray() });
        await form.Locator("button").ClickAsync();
        var message = page.Locator("#direct-progress-text");
        await Expect(message).ToContainTextAsync("could not be sent to the storage service");
        await Expect(message).ToContainTextAsync("CORS");
        await Expect(message).Not.ToContainTextAsync("(0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumBrowser.ScreenshotFolder("sample-browser"),
            "storage-unreachable.png"), FullPage = true });
    }
}
