using Microsoft.Playwright;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// Debian's chromium driven by Playwright for .NET: the browser is the machine's own (<c>/usr/bin/chromium</c>, or
/// <c>ALCHEMYTYPES_TEST_CHROMIUM</c>), never a build Playwright downloads. Headless, no sandbox (CI runs as root), and no
/// background networking: the machine's network is loopback only.
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    /// <summary>The path of a Chromium or Chrome executable to use instead of <c>/usr/bin/chromium</c>.</summary>
    public const string ChromiumVariable = "ALCHEMYTYPES_TEST_CHROMIUM";

    private readonly IPlaywright _playwright;

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        var executable = TestEnvironment.Get(ChromiumVariable) ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"The browser tests need Chromium at {executable}. Install Debian's chromium "
                + $"(apt-get install chromium), or set {ChromiumVariable} to a Chromium executable. {TestEnvironment.HowToRunEverything}");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Timeout = 60_000,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
            });
            return new ChromiumBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The folder where a test's screenshots are kept: <c>artifacts/test-screenshots/&lt;test&gt;</c>.</summary>
    public static string ScreenshotFolder(string test)
    {
        var folder = Path.Combine(TestEnvironment.RepositoryRoot, "artifacts", "test-screenshots", test);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
