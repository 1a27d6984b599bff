using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.DirectUploads;

/// <summary>Hostile attach tokens: expired, altered in every field, spliced, signed with another key, for another property.</summary>
public sealed class DirectUploadTokenTests : IAsyncLifetime
{
    private static readonly byte[] SigningKey = RandomNumberGenerator.GetBytes(32);
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-direct-tokens");
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private LocalFileSystemStorageBackend _files = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _files = new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
        {
            RootDirectory = _root, SigningKey = RandomNumberGenerator.GetBytes(32), BaseUrl = new Uri("https://files.example/"),
        });
        await using var db = NewContext();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private LifecycleContext NewContext(byte[]? key = null)
        => new(new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite(_connection)
            .AddAlchemyTypes(a => a.AddStorage("files", _files).AddStorage("secondary", new InMemoryStorageBackend()).UseTimeProvider(_clock)
                .UseDirectUploads(new DirectUploadOptions { SigningKey = key ?? SigningKey })).Options);

    private async Task<string> TokenAsync(string fileName = "a.pdf")
    {
        await using var db = NewContext();
        return (await db.CreateDirectUploadAsync<Document>(d => d.File, new DirectUploadRequest { FileName = fileName, Size = 100 })).Token;
    }

    private async Task<DirectUploadFailure> AttachFailureAsync(string token, byte[]? key = null)
    {
        await using var db = NewContext(key);
        return (await Assert.ThrowsAsync<DirectUploadException>(() => db.AttachDirectUploadAsync<Document>(d => d.File, token))).Failure;
    }

    [Promise("P-WEB-30")]
    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var token = await TokenAsync();
        Assert.Equal(DirectUploadFailure.NotUploaded, await AttachFailureAsync(token)); // valid, but nothing uploaded yet
        _clock.Now += TimeSpan.FromMinutes(15);
        Assert.Equal(DirectUploadFailure.Expired, await AttachFailureAsync(token));
    }

    [Promise("P-WEB-30", "P-WEB-31")]
    [Fact]
    public async Task Changing_any_field_of_the_payload_invalidates_the_token()
    {
        var token = await TokenAsync();
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        Assert.Equal(["B", "K", "E", "P", "N", "T", "D", "S"], payload.Select(p => p.Key).ToArray());
        foreach (var (name, value) in payload.ToList())
        {
            var altered = payload.DeepClone().AsObject();
            altered[name] = value!.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.String => JsonValue.Create(value.GetValue<string>() == "files" ? "secondary" : value + "x"),
                System.Text.Json.JsonValueKind.Number => JsonValue.Create(value.GetValue<long>() + 3600),
                _ => JsonValue.Create(!value.GetValue<bool>()),
            };
            var forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(altered.ToJsonString()))}.{parts[2]}";
            Assert.Equal(DirectUploadFailure.InvalidToken, await AttachFailureAsync(forged));
        }
    }

    [Promise("P-WEB-30")]
    [Theory]
    [InlineData("")]
    [InlineData("v1.")]
    [InlineData("v1..")]
    [InlineData("v2.e30.AAAA")]
    [InlineData("not a token")]
    [InlineData("v1.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Malformed_tokens_are_refused_without_detail(string token)
    {
        Assert.Equal(DirectUploadFailure.InvalidToken, await AttachFailureAsync(token));
        var huge = "v1." + new string('A', 100_000) + ".AAAA";
        Assert.Equal(DirectUploadFailure.InvalidToken, await AttachFailureAsync(huge));
    }

    [Promise("P-WEB-30", "P-WEB-31")]
    [Fact]
    public async Task A_signature_from_another_token_or_another_key_does_not_verify()
    {
        var first = (await TokenAsync("first.pdf")).Split('.');
        var second = (await TokenAsync("second.pdf")).Split('.');
        Assert.Equal(DirectUploadFailure.InvalidToken, await AttachFailureAsync($"{first[0]}.{first[1]}.{second[2]}"));
        var flipped = first[2][..^2] + (first[2][^2] == 'A' ? 'B' : 'A') + first[2][^1];
        Assert.Equal(DirectUploadFailure.InvalidToken, await AttachFailureAsync($"{first[0]}.{first[1]}.{flipped}"));
        Assert.Equal(DirectUploadFailure.InvalidToken, await AttachFailureAsync(string.Join('.', first), RandomNumberGenerator.GetBytes(32)));
    }

    [Promise("P-WEB-30")]
    [Fact]
    public async Task A_token_for_one_property_does_not_attach_to_another()
    {
        var token = await TokenAsync();
        await using var db = NewContext();
        var error = await Assert.ThrowsAsync<DirectUploadException>(() => db.AttachDirectUploadAsync<Avatar>(a => a.Image, token));
        Assert.Equal(DirectUploadFailure.WrongProperty, error.Failure);
    }

    [Fact]
    public async Task Request_and_target_travel_as_the_json_a_minimal_api_reads_and_writes()
    {
        var request = System.Text.Json.JsonSerializer.Deserialize<DirectUploadRequest>(
            "{\"fileName\":\"scan.pdf\",\"size\":1234,\"contentType\":null}", System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.Equal(("scan.pdf", 1234L, (string?)null), (request.FileName, request.Size, request.ContentType));
        await using var db = NewContext();
        var target = await db.CreateDirectUploadAsync<Document>(d => d.File, request);
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(target, System.Text.Json.JsonSerializerOptions.Web))!.AsObject();
        Assert.Equal(["url", "method", "headers", "expiresAt", "token"], json.Select(p => p.Key).ToArray());
        Assert.Equal(target.Url.AbsoluteUri, json["url"]!.GetValue<string>());
        Assert.Equal("PUT", json["method"]!.GetValue<string>());
        Assert.Equal("application/pdf", json["headers"]!["Content-Type"]!.GetValue<string>());
        Assert.Equal(target.Token, json["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_input_is_refused_with_typed_errors()
    {
        await using var db = NewContext();
        await Assert.ThrowsAsync<ArgumentException>(() => db.CreateDirectUploadAsync<Document>(d => d.Name,
            new DirectUploadRequest { FileName = "a.pdf", Size = 1 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => db.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = "a.pdf", Size = -1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => db.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = "a\n.pdf", Size = 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => db.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = "a.pdf", Size = 1, ContentType = "pdf" }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new DbContextOptionsBuilder().AddAlchemyTypes(a =>
            a.UseDirectUploads(new DirectUploadOptions { SigningKey = new byte[16] })));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new DbContextOptionsBuilder().AddAlchemyTypes(a =>
            a.UseDirectUploads(new DirectUploadOptions { SigningKey = new byte[32], ExpiresIn = TimeSpan.FromDays(2) })));

        await using var without = new LifecycleContext(new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite(_connection)
            .AddAlchemyTypes(a => a.AddStorage("files", _files).AddStorage("secondary", new InMemoryStorageBackend())).Options);
        var off = await Assert.ThrowsAsync<DirectUploadException>(() => without.CreateDirectUploadAsync<Document>(d => d.File,
            new DirectUploadRequest { FileName = "a.pdf", Size = 1 }));
        Assert.Equal(DirectUploadFailure.NotSupported, off.Failure);
    }
}
