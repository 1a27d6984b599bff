using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AlchemyTypes.FunctionalTests.Browser;

/// <summary>What a person does on the sample's page, step by step, shared by the browser tests.</summary>
internal static class BrowserFlows
{
    public static async Task SignUpAsync(IPage page, string email, string name, string password)
    {
        var signUp = page.Locator("form[action='/signup']");
        await signUp.Locator("input[name=email]").FillAsync(email);
        await signUp.Locator("input[name=displayName]").FillAsync(name);
        await signUp.Locator("input[name=password]").FillAsync(password);
        await signUp.Locator("button").ClickAsync();
        await Expect(page.Locator("body")).ToContainTextAsync($"Signed in as {name}");
    }

    /// <summary>
    /// Uploads through the "straight to storage" form: its progress bar must report the upload to 100 %, the document must
    /// appear, and its download through the app must return the same bytes.
    /// </summary>
    public static async Task DirectUploadAsync(IPage page, IBrowserContext context, string title, string fileName, byte[] content)
    {
        var form = page.Locator("#direct-form");
        await form.Locator("input[name=title]").FillAsync(title);
        await form.Locator("input[name=file]").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "application/octet-stream", Buffer = content });
        await form.Locator("button").ClickAsync();
        var link = page.Locator("a", new() { HasText = fileName });
        await Expect(link).ToBeVisibleAsync();
        var progress = JsonSerializer.Deserialize<int[]>(await page.EvaluateAsync<string>("sessionStorage.getItem('lastDirectUploadProgress')"))!;
        Assert.NotEmpty(progress);
        Assert.Equal(100, progress[^1]);
        Assert.Equal(progress.Order(), progress);
        var downloaded = await context.APIRequest.GetAsync((await link.GetAttributeAsync("href"))!);
        Assert.Equal(200, downloaded.Status);
        Assert.Equal(content, await downloaded.BodyAsync());
    }
}
