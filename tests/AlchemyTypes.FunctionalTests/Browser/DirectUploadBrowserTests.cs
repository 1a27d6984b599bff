using System.Security.Cryptography;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Amazon.S3.Model;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AlchemyTypes.FunctionalTests.Browser;

/// <summary>
/// The sample app with its files on a cloud store, in a real browser: the file goes from the browser straight to s3rver or
/// Azurite (CORS set by the fixture for the app's origin), is attached to a document, read back through the app, and its
/// object is gone after the document is deleted. Screenshots in <c>artifacts/test-screenshots/direct-upload-*</c>.
/// </summary>
public abstract class DirectUploadBrowserTests : IAsyncLifetime
{
    private BrowserSession _session = null!;

    protected abstract string Name { get; }

    /// <summary>Creates the bucket or container; returns the sample's configuration of a backend named <c>cloud</c>.</summary>
    protected abstract Task<string[]> PrepareStoreAsync();

    protected abstract Task AllowOriginAsync(string origin);

    protected abstract Task<IReadOnlyList<string>> ListKeysAsync();

    public async Task InitializeAsync()
        => _session = await BrowserSession.StartAsync(["--AlchemyTypes:Storage:Default", "cloud", .. await PrepareStoreAsync()], AllowOriginAsync);

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_file_goes_from_the_browser_straight_to_storage_is_attached_read_back_and_deleted()
    {
        var screenshots = ChromiumBrowser.ScreenshotFolder($"direct-upload-{Name}");
        var (page, context) = (_session.Page, _session.Context);
        await page.GotoAsync("/");
        await BrowserFlows.SignUpAsync(page, "lin@example.com", "Lin", "correct horse battery staple");
        Assert.True(await page.Locator("#direct-form").IsVisibleAsync(), "the page offers direct uploads when the backend signs URLs");

        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await BrowserFlows.DirectUploadAsync(page, context, "Scan", "scan.bin", content);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "01-attached.png"), FullPage = true });

        // The row's object is a copy under its own key; the object the browser wrote is deleted after the commit.
        var key = Assert.Single(await ListKeysAsync());   // keys are never shown on the page
        Assert.EndsWith("/scan.bin", key, StringComparison.Ordinal);
        Assert.DoesNotContain(await ListKeysAsync(), k => k.StartsWith("direct-uploads/", StringComparison.Ordinal));

        await page.Locator("form[action$='/delete']:not([action*='attachments']) button").ClickAsync();
        await Expect(page.Locator("#flash")).ToContainTextAsync("removed from storage");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "02-deleted.png"), FullPage = true });
        Assert.Empty(await ListKeysAsync());
    }
}

[Collection(S3Collection.Name)]
public sealed class S3DirectUploadBrowserTests(S3ServerFixture server) : DirectUploadBrowserTests
{
    private readonly string _bucket = S3ServerFixture.NewBucketName();

    protected override string Name => "s3";

    protected override async Task<string[]> PrepareStoreAsync()
    {
        using var client = server.CreateClient();
        await client.PutBucketAsync(_bucket);
        const string prefix = "--AlchemyTypes:Storage:Backends:cloud:";
        string[] settings = [prefix + "Type", "S3", prefix + "BucketName", _bucket, prefix + "ServiceUrl", server.ServiceUrl,
            prefix + "ForcePathStyle", "true", prefix + "Region", server.Region, prefix + "AccessKey", server.AccessKey, prefix + "SecretKey", server.SecretKey];

        // s3rver stores aws-chunked framing as content (README, S3 backend); a real store takes the defaults.
        return server.IsExternal ? settings : [.. settings, prefix + "UseChunkEncoding", "false", prefix + "ChecksumWhenRequired", "true"];
    }

    protected override async Task AllowOriginAsync(string origin)
    {
        using var client = server.CreateClient();
        await S3ServerFixture.AllowBrowserUploadsAsync(client, _bucket, origin);
    }

    protected override async Task<IReadOnlyList<string>> ListKeysAsync()
    {
        using var client = server.CreateClient();
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
        return (listed.S3Objects ?? []).Select(o => o.Key).ToList();
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureDirectUploadBrowserTests(AzuriteFixture server) : DirectUploadBrowserTests
{
    private readonly string _container = AzuriteFixture.NewContainerName();

    protected override string Name => "azure";

    protected override async Task<string[]> PrepareStoreAsync()
    {
        await server.CreateServiceClient().GetBlobContainerClient(_container).CreateAsync();
        const string prefix = "--AlchemyTypes:Storage:Backends:cloud:";
        return [prefix + "Type", "AzureBlob", prefix + "ConnectionString", server.ConnectionString, prefix + "ContainerName", _container];
    }

    protected override Task AllowOriginAsync(string origin) => server.AllowBrowserUploadsAsync(origin);

    protected override async Task<IReadOnlyList<string>> ListKeysAsync()
    {
        var keys = new List<string>();
        await foreach (var blob in server.CreateServiceClient().GetBlobContainerClient(_container).GetBlobsAsync())
        {
            keys.Add(blob.Name);
        }

        return keys;
    }
}
