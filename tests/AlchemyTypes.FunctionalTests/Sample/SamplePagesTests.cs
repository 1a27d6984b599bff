using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Sample;
using AlchemyTypes.Testing;
using Azure.Storage.Blobs;

namespace AlchemyTypes.FunctionalTests.Sample;

/// <summary>What a newcomer sees (issue #22): the right page for each failure, /health with reasons, sizes people read, no keys.</summary>
public sealed partial class SampleEndToEndTests
{
    [Promise("P-WEB-66")]
    [Fact]
    public async Task A_form_upload_over_the_server_limit_gets_the_413_page_not_the_stale_form_page()
    {
        await PostForm("/signup", new() { ["email"] = "big@example.com", ["displayName"] = "Big", ["password"] = "a long passphrase" });
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(Token(await _http.GetStringAsync("/"))), "__RequestVerificationToken");
        form.Add(new StringContent("Huge"), "title");
        form.Add(File(new byte[40 * 1024 * 1024], "application/octet-stream"), "file", "huge.bin");
        using var response = await _http.PostAsync("/documents", form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("That file is too large", page, StringComparison.Ordinal);
        Assert.Contains("up to 30 MB", page, StringComparison.Ordinal);
        Assert.DoesNotContain("open for too long", page, StringComparison.Ordinal);
        Assert.Empty(StoredKeys());
    }

    [Promise("P-WEB-68")]
    [Fact]
    public async Task Health_is_json_with_each_checks_status_and_reason()
    {
        using var response = await _http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        var checks = health.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["alchemytypes-pending-deletes", "alchemytypes-storage"], checks.Keys.Order());
        Assert.All(checks.Values, c =>
        {
            Assert.Equal("Healthy", c.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("reason").GetString()));
        });
    }

    [Promise("P-WEB-69")]
    [Fact]
    public async Task Pages_and_json_never_show_storage_keys_and_sizes_are_human()
    {
        await PostForm("/signup", new() { ["email"] = "keys@example.com", ["displayName"] = "Keys", ["password"] = "a long passphrase" });
        await UploadAsync("Sized", "report.txt", RandomText(1_234_567), ("small.txt", "0123456789"u8.ToArray()));
        var page = await _http.GetStringAsync("/");
        var json = await _http.GetStringAsync("/api/documents");
        Assert.Equal(2, StoredKeys().Count);
        foreach (var key in StoredKeys())
        {
            var folder = key.Split('/')[1];   // the UUID part of "ab/<uuid>/name"
            Assert.DoesNotContain(folder, page, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(folder, json, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain("\"key\"", json, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<small class=\"size\">1.2 MB</small>", page, StringComparison.Ordinal);
        Assert.Contains("<small class=\"size\">10 bytes</small>", page, StringComparison.Ordinal);
    }

    [Promise("P-WEB-70")]
    [Fact]
    public async Task Every_page_uses_the_sites_stylesheet()
    {
        Assert.Contains(SiteStyle.Link, await _http.GetStringAsync("/"), StringComparison.Ordinal);
        using var missing = await _http.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains(SiteStyle.Link, await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var css = await _http.GetAsync(SiteStyle.Path);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains("font", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static byte[] RandomText(int length)
        => [.. RandomNumberGenerator.GetItems("abcdefghijklmnopqrstuvwxyz \n"u8.ToArray().Select(b => (char)b).ToArray(), length).Select(c => (byte)c)];
}

/// <summary>Sizes as the page shows them.</summary>
public sealed class SampleHumanSizeTests
{
    [Promise("P-WEB-69")]
    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1, "1 byte")]
    [InlineData(999, "999 bytes")]
    [InlineData(1000, "1.0 KB")]
    [InlineData(300_009, "300 KB")]
    [InlineData(999_999, "1.0 MB")]
    [InlineData(1_234_567, "1.2 MB")]
    [InlineData(30_000_000, "30 MB")]
    [InlineData(5_368_709_120, "5.4 GB")]
    public void Sizes_read_like_people_write_them(long bytes, string expected) => Assert.Equal(expected, HumanSize.Format(bytes));
}

/// <summary>The sample on s3rver: a missing bucket explained (page and /health), and created with CORS when told to in Development.</summary>
[Collection(S3Collection.Name)]
public sealed class SampleS3StorageTests(S3ServerFixture server)
{
    private string[] Settings(string bucket)
    {
        const string prefix = "--AlchemyTypes:Storage:Backends:cloud:";
        string[] settings = ["--AlchemyTypes:Storage:Default", "cloud", prefix + "Type", "S3", prefix + "BucketName", bucket,
            prefix + "ServiceUrl", server.ServiceUrl, prefix + "ForcePathStyle", "true", prefix + "Region", server.Region,
            prefix + "AccessKey", server.AccessKey, prefix + "SecretKey", server.SecretKey];
        return server.IsExternal ? settings : [.. settings, prefix + "UseChunkEncoding", "false", prefix + "ChecksumWhenRequired", "true"];
    }

    [Promise("P-WEB-67", "P-WEB-68")]
    [Fact]
    public async Task A_missing_bucket_gives_a_page_saying_what_to_check_and_health_says_why()
    {
        await using var app = await SampleApp.StartAsync(Settings(S3ServerFixture.NewBucketName()));
        using var client = SampleClient.Create(app);
        await SampleClient.SignUpAsync(client, "nobucket@example.com");
        using var response = await SampleClient.UploadAsync(client, "note.txt", "hello"u8.ToArray());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("The file storage is not available", page, StringComparison.Ordinal);
        Assert.Contains("bucket or container exists", page, StringComparison.Ordinal);
        Assert.Contains("Storage:CreateIfMissing=true", page, StringComparison.Ordinal);

        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var json = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", json.GetProperty("status").GetString());
        var storage = json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "alchemytypes-storage");
        Assert.Equal("Unhealthy", storage.GetProperty("status").GetString());
        Assert.Contains("cloud", storage.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Promise("P-WEB-71")]
    [Fact]
    public async Task In_development_with_CreateIfMissing_the_sample_creates_its_bucket_and_cors_rule()
    {
        var bucket = S3ServerFixture.NewBucketName();
        await using var app = await SampleApp.StartAsync([.. Settings(bucket), "--environment", "Development", "--Storage:CreateIfMissing", "true"]);
        using var client = SampleClient.Create(app);
        await SampleClient.SignUpAsync(client, "created@example.com");
        using (var response = await SampleClient.UploadAsync(client, "note.txt", "hello"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var origin = app.BaseAddress.GetLeftPart(UriPartial.Authority);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{server.ServiceUrl}/{bucket}/direct-uploads/x/a.txt");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var http = new HttpClient();
        using var allowed = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains(allowed.Headers.GetValues("Access-Control-Allow-Origin"), v => v == origin || v == "*");   // s3rver answers "*"
        Assert.Contains("PUT", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);

        using var s3 = server.CreateClient();
        await S3TestBuckets.DeleteAsync(s3, bucket);
    }
}

/// <summary>The sample on Azurite: the container and its CORS rule created when told to in Development.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SampleAzureStorageTests(AzuriteFixture server)
{
    [Promise("P-WEB-71")]
    [Fact]
    public async Task In_development_with_CreateIfMissing_the_sample_creates_its_container_and_cors_rule()
    {
        var container = AzuriteFixture.NewContainerName();
        const string prefix = "--AlchemyTypes:Storage:Backends:cloud:";
        await using var app = await SampleApp.StartAsync(["--AlchemyTypes:Storage:Default", "cloud", prefix + "Type", "AzureBlob",
            prefix + "ConnectionString", server.ConnectionString, prefix + "ContainerName", container,
            "--environment", "Development", "--Storage:CreateIfMissing", "true"]);
        using var client = SampleClient.Create(app);
        await SampleClient.SignUpAsync(client, "azure@example.com");
        using (var response = await SampleClient.UploadAsync(client, "note.txt", "hello"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var containerClient = new BlobServiceClient(server.ConnectionString).GetBlobContainerClient(container);
        Assert.True((await containerClient.ExistsAsync()).Value);
        var origin = app.BaseAddress.GetLeftPart(UriPartial.Authority);
        var cors = (await new BlobServiceClient(server.ConnectionString).GetPropertiesAsync()).Value.Cors;
        Assert.Contains(cors, r => r.AllowedOrigins == origin && r.AllowedMethods.Contains("PUT", StringComparison.Ordinal));
        await containerClient.DeleteAsync();
    }
}

/// <summary>A signed-in session against a <see cref="SampleApp"/>, as the form-posting tests use it.</summary>
internal static partial class SampleClient
{
    public static HttpClient Create(SampleApp app)
        => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };

    public static async Task SignUpAsync(HttpClient client, string email)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = email, ["displayName"] = "Someone",
            ["password"] = "a long passphrase", ["__RequestVerificationToken"] = await TokenAsync(client) });
        using var response = await client.PostAsync("/signup", content);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string name, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(await TokenAsync(client)), "__RequestVerificationToken");
        form.Add(new StringContent("A document"), "title");
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", name);
        return await client.PostAsync("/documents", form);
    }

    private static async Task<string> TokenAsync(HttpClient client)
        => TokenPattern().Match(await client.GetStringAsync("/")) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("The page has no antiforgery token.");

    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex TokenPattern();
}
