using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AlchemyTypes.Argon2;
using AlchemyTypes.Encryption;
using AlchemyTypes.Passwords;
using AlchemyTypes.Sample;
using AlchemyTypes.Sample.Data;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Sample;

/// <summary>
/// The sample's security holes of issue #21, each reproduced as an attack: a same-site page posting without the antiforgery
/// token with the victim's cookie, a link probing storage keys, and sign-in timing telling registered emails apart.
/// </summary>
public sealed partial class SampleEndToEndTests
{
    [Promise("P-WEB-60")]
    [Fact]
    public async Task Every_state_changing_endpoint_refuses_a_request_without_the_antiforgery_token()
    {
        Assert.Equal(HttpStatusCode.Redirect, (await PostForm("/signup", new() { ["email"] = "victim@example.com", ["displayName"] = "Victim",
            ["password"] = "a long passphrase" })).StatusCode);
        await UploadAsync("Victim's", "private.txt", "private"u8.ToArray(), ("annex.txt", "annex"u8.ToArray()));
        var id = Assert.Single(await Documents()).GetProperty("id").GetGuid();

        // What a page of the same site can make the victim's browser send: the session cookie, but no token.
        foreach (var path in new[] { $"/documents/{id}/attachments/0/delete", $"/documents/{id}/delete", "/signout" })
        {
            using var empty = new FormUrlEncodedContent([]);
            using var refused = await _http.PostAsync(path, empty);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"POST {path} without a token: {(int)refused.StatusCode}");
        }

        using (var json = await _http.PostAsJsonAsync("/documents/uploads", new { fileName = "x.txt", size = 3, contentType = "text/plain" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        }

        using (var json = await _http.PostAsJsonAsync("/documents/direct", new { title = "x", token = "v1.x.y" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        }

        // Nothing happened: still signed in, the document and its attachment are there.
        var document = Assert.Single(await Documents());
        Assert.Equal(1, document.GetProperty("attachments").GetArrayLength());
        Assert.Equal("private", await _follow.GetStringAsync($"/documents/{id}/file"));

        // With the token (header for the JSON endpoints), the same requests work.
        using (var asked = new HttpRequestMessage(HttpMethod.Post, "/documents/uploads"))
        {
            asked.Headers.Add("RequestVerificationToken", Token(await _http.GetStringAsync("/")));
            asked.Content = JsonContent.Create(new { fileName = "x.txt", size = 3, contentType = "text/plain" });
            using var target = await _http.SendAsync(asked);
            Assert.Equal(HttpStatusCode.OK, target.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await PostForm($"/documents/{id}/delete", [])).StatusCode);
        Assert.Empty(await Documents());
        Assert.Equal(HttpStatusCode.Redirect, (await PostForm("/signout", [])).StatusCode);
    }

    [Promise("P-WEB-61")]
    [Fact]
    public async Task The_start_page_is_no_storage_key_oracle_and_hostile_query_strings_get_the_normal_page()
    {
        await PostForm("/signup", new() { ["email"] = "ann@example.com", ["displayName"] = "Ann", ["password"] = "a long passphrase" });
        await UploadAsync("Kept", "kept.txt", "kept"u8.ToArray());
        var keptKey = Assert.Single(StoredKeys());
        var plain = Normalize(await _http.GetStringAsync("/"));

        // An existing key, a missing one, and keys the storage would refuse: the page is the page, whatever the query says.
        foreach (var deleted in new[] { keptKey, "00/missing/x.txt", "../../etc/passwd", "%00", new string('a', 5000), "C:\\x", "/abs" })
        {
            using var response = await _http.GetAsync("/?deleted=" + Uri.EscapeDataString(deleted));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(plain, Normalize(await response.Content.ReadAsStringAsync()));
        }

        // After a delete the next page says what happened, once, without naming a key.
        var id = Assert.Single(await Documents()).GetProperty("id").GetGuid();
        var deletedResponse = await PostForm($"/documents/{id}/delete", []);
        Assert.Equal("/", deletedResponse.Headers.Location!.ToString());
        var next = WebUtility.HtmlDecode(await _http.GetStringAsync("/"));
        Assert.Contains("Deleted “Kept”. Its file was removed from storage.", next, StringComparison.Ordinal);
        Assert.DoesNotContain(keptKey, next, StringComparison.Ordinal);
        Assert.DoesNotContain("removed from storage", await _http.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Empty(StoredKeys());
    }

    [Promise("P-WEB-62")]
    [Fact]
    public async Task Sign_in_for_an_unknown_email_takes_about_as_long_as_a_wrong_password()
    {
        await PostForm("/signup", new() { ["email"] = "known@example.com", ["displayName"] = "Known", ["password"] = "a long passphrase" });
        await PostForm("/signout", []);
        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            known.Add(await TimeSignIn("known@example.com"));
            unknown.Add(await TimeSignIn($"nobody{i}@example.com"));
        }

        // Argon2id at OWASP parameters dominates both (tens of ms); without the dummy verification the unknown email took ~1/10.
        var (k, u) = (Median(known), Median(unknown));
        Assert.True(u >= 0.5 * k, $"unknown email {u:F1} ms vs wrong password {k:F1} ms (medians of 7)");
    }

    private async Task<double> TimeSignIn(string email)
    {
        var fields = new Dictionary<string, string> { ["email"] = email, ["password"] = "wrong password",
            ["__RequestVerificationToken"] = Token(await _http.GetStringAsync("/")) };
        using var content = new FormUrlEncodedContent(fields);
        var watch = Stopwatch.StartNew();
        using var response = await _http.PostAsync("/signin", content);
        watch.Stop();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Normalize(string html) => TokenPattern().Replace(html, "token");

    private async Task UploadAsync(string title, string name, byte[] bytes, params (string Name, byte[] Bytes)[] attachments)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(Token(await _http.GetStringAsync("/"))), "__RequestVerificationToken");
        form.Add(new StringContent(title), "title");
        form.Add(File(bytes, "text/plain"), "file", name);
        foreach (var (attachmentName, attachmentBytes) in attachments)
        {
            form.Add(File(attachmentBytes, "text/plain"), "attachments", attachmentName);
        }

        using var response = await _http.PostAsync("/documents", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>The key of the one stored object holding <paramref name="fileName"/> (keys end with the file's safe name).</summary>
    private string KeyOf(string fileName) => Assert.Single(StoredKeys(), k => k.EndsWith("/" + fileName, StringComparison.Ordinal));

    /// <summary>The keys of the objects in the sample's local storage (the app never shows them).</summary>
    private List<string> StoredKeys()
        => !Directory.Exists(FilesRoot) ? [] : Directory.EnumerateFiles(FilesRoot, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(FilesRoot, f).Replace('\\', '/'))
            .Where(k => !k.StartsWith(".alchemytypes/", StringComparison.Ordinal)).ToList();
}

/// <summary>The sign-in check in process, with a hasher that counts what it verifies.</summary>
public sealed class SampleSignInCheckTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly CountingHasher _hasher = new(new Argon2PasswordHasher(new Argon2Options { MemorySizeKiB = 1024, Iterations = 1 }));
    private DbContextOptions<SqliteSampleDbContext> _options = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _options = new DbContextOptionsBuilder<SqliteSampleDbContext>().ForTests().UseSqlite(_connection)
            .AddAlchemyTypes(a => a.AddStorage("files", new InMemoryStorageBackend())
                .UseEncryption(new EncryptionKeyRing().Add("k", EncryptionKeyRing.GenerateKey(), makeCurrent: true)
                    .SetBlindIndexKey(EncryptionKeyRing.GenerateKey()))
                .AddPasswordHasher(_hasher, useForNewHashes: true)).Options;
        await using var db = new SqliteSampleDbContext(_options);
        await db.Database.EnsureCreatedAsync();
        db.Add(new User { Email = "known@example.com", DisplayName = "Known", Password = PasswordHash.FromPassword("right password") });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Promise("P-WEB-62")]
    [Fact]
    public async Task An_unknown_email_costs_one_verification_against_a_hash_of_the_same_parameters_as_a_wrong_password()
    {
        var check = new SignInCheck(_hasher);
        await using var db = new SqliteSampleDbContext(_options);
        var storedParameters = Parameters((await db.Users.SingleAsync()).Password.EncodedHash!);

        _hasher.Verified.Clear();
        Assert.Null((await check.CheckAsync(db, "known@example.com", "wrong password", default)).User);
        Assert.Equal([storedParameters], _hasher.Verified.Select(Parameters));

        _hasher.Verified.Clear();
        Assert.Null((await check.CheckAsync(db, "nobody@example.com", "wrong password", default)).User);
        Assert.Equal([storedParameters], _hasher.Verified.Select(Parameters));   // the dummy hash: same algorithm and cost

        _hasher.Verified.Clear();
        Assert.NotNull((await check.CheckAsync(db, "known@example.com", "right password", default)).User);
        Assert.Single(_hasher.Verified);
    }

    // "$argon2id$v=19$m=1024,t=1,p=1$salt$hash" -> "$argon2id$v=19$m=1024,t=1,p=1"
    private static string Parameters(string encoded) => string.Join('$', encoded.Split('$')[..4]);

    private sealed class CountingHasher(IPasswordHasher inner) : IPasswordHasher
    {
        public List<string> Verified { get; } = [];

        public string Algorithm => inner.Algorithm;

        public bool CanVerify(string encodedHash) => inner.CanVerify(encodedHash);

        public string Hash(ReadOnlySpan<byte> passwordUtf8) => inner.Hash(passwordUtf8);

        public ValueTask<string> HashAsync(ReadOnlyMemory<byte> passwordUtf8, CancellationToken cancellationToken = default)
            => inner.HashAsync(passwordUtf8, cancellationToken);

        public bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash)
        {
            lock (Verified)
            {
                Verified.Add(encodedHash);
            }

            return inner.Verify(passwordUtf8, encodedHash);
        }

        public ValueTask<bool> VerifyAsync(ReadOnlyMemory<byte> passwordUtf8, string encodedHash, CancellationToken cancellationToken = default)
        {
            lock (Verified)
            {
                Verified.Add(encodedHash);
            }

            return inner.VerifyAsync(passwordUtf8, encodedHash, cancellationToken);
        }

        public bool NeedsRehash(string encodedHash) => inner.NeedsRehash(encodedHash);
    }
}
