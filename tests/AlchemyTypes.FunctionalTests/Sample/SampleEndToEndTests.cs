using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.Data.Sqlite;

namespace AlchemyTypes.FunctionalTests.Sample;

/// <summary>
/// Starts the sample web app as its own process on a free loopback port, with zero configuration but temp folders, and
/// drives it over HTTP as a browser would: sign up, upload, download and compare, replace, remove an attachment, delete —
/// checking on disk that each blob appears and goes away.
/// </summary>
public sealed partial class SampleEndToEndTests : IAsyncLifetime
{
    private readonly CookieContainer _cookies = new();
    private SampleApp? _app;
    private HttpClient _http = null!;
    private HttpClient _follow = null!;   // the same session, following redirects (downloads go to signed URLs)

    private string FilesRoot => _app!.FilesRoot;

    public async Task InitializeAsync()
    {
        _app = await SampleApp.StartAsync();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies,
            AllowAutoRedirect = false }) { BaseAddress = _app.BaseAddress };
        _follow = new HttpClient(new HttpClientHandler { CookieContainer = _cookies }) { BaseAddress = _app.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        _follow?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sign_up_upload_download_replace_and_delete_through_the_web_app()
    {
        // Sign up (the form carries an antiforgery token).
        var signUp = await PostForm("/signup", new() { ["email"] = "Grace@Example.com", ["displayName"] = "Grace", ["password"] = "a long passphrase" });
        Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        var home = await _http.GetStringAsync("/");
        Assert.Contains("Signed in as <b>Grace</b>", home, StringComparison.Ordinal);

        // Upload a document with a file and two attachments.
        var main = (byte[])[.. "%PDF-1.7\n"u8, .. RandomNumberGenerator.GetBytes(300_000)]; // declared application/pdf: the bytes must agree
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent(Token(home)), "__RequestVerificationToken");
            form.Add(new StringContent("Quarterly report"), "title");
            form.Add(File(main, "application/pdf"), "file", "report.pdf");
            form.Add(File("first"u8.ToArray(), "text/plain"), "attachments", "one.txt");
            form.Add(File("second"u8.ToArray(), "text/plain"), "attachments", "two.txt");
            Assert.Equal(HttpStatusCode.Redirect, (await _http.PostAsync("/documents", form)).StatusCode);
        }

        var document = Assert.Single(await Documents());
        var id = document.GetProperty("id").GetGuid();
        var key = KeyOf("report.pdf");
        Assert.Equal(main.Length, document.GetProperty("file").GetProperty("size").GetInt64());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(main)), document.GetProperty("file").GetProperty("checksum").GetString());
        Assert.Equal(main, await System.IO.File.ReadAllBytesAsync(Path.Combine(FilesRoot, key)));

        // Download: a redirect to a short-lived signed URL of the local backend, served by the app with type, length, ETag and ranges.
        using (var redirect = await _http.GetAsync($"/documents/{id}/file"))
        {
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.StartsWith($"{_http.BaseAddress}files/files/", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using (var download = await _follow.GetAsync($"/documents/{id}/file"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal(main, await download.Content.ReadAsByteArrayAsync());
            Assert.NotNull(download.Headers.ETag);
        }

        using (var range = new HttpRequestMessage(HttpMethod.Get, $"/documents/{id}/file"))
        {
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
            using var partial = await _follow.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(main[1000..2000], await partial.Content.ReadAsByteArrayAsync());
        }

        // Replace the file: the old blob goes away after the commit.
        var replacement = RandomNumberGenerator.GetBytes(5_000);
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent(Token(await _http.GetStringAsync("/"))), "__RequestVerificationToken");
            form.Add(File(replacement, "application/octet-stream"), "file", "v2.bin");
            Assert.Equal(HttpStatusCode.Redirect, (await _http.PostAsync($"/documents/{id}/replace", form)).StatusCode);
        }

        document = Assert.Single(await Documents());
        var newKey = KeyOf("v2.bin");
        Assert.False(System.IO.File.Exists(Path.Combine(FilesRoot, key)));
        Assert.Equal(replacement, await _follow.GetByteArrayAsync($"/documents/{id}/file"));

        // Remove the first attachment in place.
        var attachmentKey = KeyOf("one.txt");
        Assert.True(System.IO.File.Exists(Path.Combine(FilesRoot, attachmentKey)));
        Assert.Equal(HttpStatusCode.Redirect, (await PostForm($"/documents/{id}/attachments/0/delete", [])).StatusCode);
        Assert.False(System.IO.File.Exists(Path.Combine(FilesRoot, attachmentKey)));
        Assert.Equal("second", await _http.GetStringAsync($"/documents/{id}/attachments/0"));

        // Delete the document: the page shows the blob is gone, and it is.
        var deleted = await PostForm($"/documents/{id}/delete", []);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        var page = WebUtility.HtmlDecode(await _http.GetStringAsync(deleted.Headers.Location!));
        Assert.Contains("Deleted “Quarterly report”. Its 2 files were removed from storage.", page, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Path.Combine(FilesRoot, newKey)));
        Assert.Empty(await Documents());

        // Sign out and back in: wrong password refused, right one accepted (found through the encrypted email's blind index).
        Assert.Equal(HttpStatusCode.Redirect, (await PostForm("/signout", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostForm("/signin", new() { ["email"] = "grace@example.com", ["password"] = "wrong" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostForm("/signin", new() { ["email"] = "grace@example.com", ["password"] = "a long "
            + "passphrase" })).StatusCode);

        // At rest: the email is ciphertext and the password an Argon2id PHC string.
        await using var db = new SqliteConnection($"Data Source={Path.Combine(_app!.DataFolder, "sample.db")};Pooling=False");
        await db.OpenAsync();
        await using var query = new SqliteCommand("SELECT \"Email\", \"Password\" FROM \"Users\"", db);
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.StartsWith("v2:", reader.GetString(0), StringComparison.Ordinal);
        Assert.DoesNotContain("grace", reader.GetString(0), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", reader.GetString(1), StringComparison.Ordinal);
    }

    [Promise("P-WEB-07")]
    [Fact]
    public async Task Forms_without_an_antiforgery_token_and_anonymous_uploads_are_refused()
    {
        using var noToken = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "x@example.com", ["displayName"] = "x",
            ["password"] = "pw" });
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsync("/signup", noToken)).StatusCode);

        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(Token(await _http.GetStringAsync("/"))), "__RequestVerificationToken");
        form.Add(new StringContent("t"), "title");
        form.Add(File([1, 2, 3], "application/octet-stream"), "file", "x.bin");
        var anonymous = await _http.PostAsync("/documents", form);
        Assert.Contains(anonymous.StatusCode, new[] { HttpStatusCode.Redirect, HttpStatusCode.Unauthorized });
        Assert.False(Directory.Exists(FilesRoot) && Directory.EnumerateFiles(FilesRoot, "*",
            SearchOption.AllDirectories).Any(f => !f.Contains(".alchemytypes", StringComparison.Ordinal)));
    }

    [Promise("P-WEB-07")]
    [Fact]
    public async Task The_session_cookie_is_HttpOnly_and_SameSite_Strict_and_documents_are_scoped_to_their_owner()
    {
        // Grace signs up: the authentication cookie cannot be read by scripts nor sent by other sites.
        var signUp = await PostForm("/signup", new() { ["email"] = "grace@example.com", ["displayName"] = "Grace", ["password"] = "a long passphrase" });
        Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        var session = Assert.Single(signUp.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Cookies=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);

        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent(Token(await _http.GetStringAsync("/"))), "__RequestVerificationToken");
            form.Add(new StringContent("Grace's"), "title");
            form.Add(File("private"u8.ToArray(), "text/plain"), "file", "private.txt");
            form.Add(File("annex"u8.ToArray(), "text/plain"), "attachments", "annex.txt");
            Assert.Equal(HttpStatusCode.Redirect, (await _http.PostAsync("/documents", form)).StatusCode);
        }

        var document = Assert.Single(await Documents());
        var id = document.GetProperty("id").GetGuid();
        var key = KeyOf("private.txt");

        // Mallory, signed in with an account of her own, can neither list, read, replace nor delete it.
        using var mallory = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(),
            AllowAutoRedirect = false }) { BaseAddress = _http.BaseAddress };
        Assert.Equal(HttpStatusCode.Redirect, (await PostForm("/signup", new() { ["email"] = "mallory@example.com",
            ["displayName"] = "Mallory", ["password"] = "another passphrase" }, mallory)).StatusCode);
        Assert.Empty((await mallory.GetFromJsonAsync<List<JsonElement>>("/api/documents"))!);
        Assert.DoesNotContain("Grace&#x27;s", await mallory.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/documents/{id}/file")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/documents/{id}/attachments/0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostForm($"/documents/{id}/attachments/0/delete", [], mallory)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostForm($"/documents/{id}/delete", [], mallory)).StatusCode);

        // Grace's document, its file and its attachment are untouched.
        Assert.True(System.IO.File.Exists(Path.Combine(FilesRoot, key)));
        Assert.Equal("private", await _follow.GetStringAsync($"/documents/{id}/file"));
        Assert.Equal("annex", await _http.GetStringAsync($"/documents/{id}/attachments/0"));
    }

    private async Task<HttpResponseMessage> PostForm(string path, Dictionary<string, string> fields, HttpClient? client = null)
    {
        client ??= _http;
        fields["__RequestVerificationToken"] = Token(await client.GetStringAsync("/"));
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(path, content);
    }

    private async Task<List<JsonElement>> Documents()
        => (await _http.GetFromJsonAsync<List<JsonElement>>("/api/documents"))!;

    private static ByteArrayContent File(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return content;
    }

    private static string Token(string html)
        => TokenPattern().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
