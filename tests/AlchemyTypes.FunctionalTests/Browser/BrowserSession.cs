using AlchemyTypes.FunctionalTests.Sample;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.Playwright;

namespace AlchemyTypes.FunctionalTests.Browser;

/// <summary>One browser test's world: the sample app (with the test's configuration), a Chromium, one context and one page.</summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    private ChromiumBrowser? _chromium;

    private BrowserSession(SampleApp app)
    {
        App = app;
    }

    public SampleApp App { get; }

    public IBrowserContext Context { get; private set; } = null!;

    public IPage Page { get; private set; } = null!;

    /// <summary>
    /// Starts the sample with <paramref name="configuration"/>, calls <paramref name="beforeBrowser"/> with the app's origin
    /// (CORS for a store), then opens Chromium on the app.
    /// </summary>
    public static async Task<BrowserSession> StartAsync(string[] configuration, Func<string, Task>? beforeBrowser = null)
    {
        var session = new BrowserSession(await SampleApp.StartAsync(configuration));
        try
        {
            if (beforeBrowser is not null)
            {
                await beforeBrowser(session.App.BaseAddress.GetLeftPart(UriPartial.Authority));
            }

            session._chromium = await ChromiumBrowser.LaunchAsync();
            session.Context = await session._chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = session.App.BaseAddress.ToString() });
            session.Context.SetDefaultTimeout(30_000);

            // Assertions wait 5 s by default; an attach that copies on a loaded 2-core CI machine (s3rver, Azurite, the
            // app and Chromium all busy) can take longer, and waiting longer costs nothing when the page is quick.
            Assertions.SetDefaultExpectTimeout(30_000);
            session.Page = await session.Context.NewPageAsync();
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Context is not null)
        {
            await Context.DisposeAsync();
        }

        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        await App.DisposeAsync();
    }
}
