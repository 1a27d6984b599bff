using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.DirectUploads;

/// <summary>The local backend's signed URLs served by MapAlchemyTypesLocalStorage on a real Kestrel server.</summary>
public sealed class LocalStorageEndpointTests : IAsyncLifetime
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-local-urls");
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly HttpClient _http = new();
    private readonly byte[] _content = Encoding.ASCII.GetBytes("0123456789abcdefghijklmnopqrstuvwxyz");
    private LocalStorageHost _host = null!;

    private LocalFileSystemStorageBackend Backend => _host.Backend;

    public async Task InitializeAsync()
    {
        _host = await LocalStorageHost.StartAsync(_root, RandomNumberGenerator.GetBytes(32), _clock, maxUploadSize: 1000);
        await Backend.UploadAsync("docs/a b.txt", new MemoryStream(_content), new StorageUploadOptions { ContentType = "text/plain" });
        await Backend.UploadAsync("docs/page.html", new MemoryStream(ContentSamples.Html), new StorageUploadOptions { ContentType = "text/html" });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private Task<Uri> SignAsync(string key, SignedUrlMethod method = SignedUrlMethod.Get, string? contentType = null, long? max = null)
        => Backend.GetSignedUrlAsync(key, new SignedUrlOptions { Method = method, ExpiresIn = TimeSpan.FromMinutes(5), ContentType = contentType,
            MaxSize = max });

    private async Task<HttpResponseMessage> PutAsync(Uri url, byte[] body, string contentType = "text/plain")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await _http.PutAsync(url, content);
    }

    private static async Task AssertForbiddenAndSilentAsync(HttpResponseMessage response, string? what = null)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what ?? response.RequestMessage?.RequestUri?.ToString()}: "
            + $"{(int)response.StatusCode}, not 403");
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Promise("P-WEB-27", "P-WEB-37")]
    [Fact]
    public async Task A_signed_get_serves_the_object_with_type_etag_ranges_and_nosniff()
    {
        var url = await SignAsync("docs/a b.txt");
        Assert.StartsWith(_host.BaseUrl.AbsoluteUri, url.AbsoluteUri, StringComparison.Ordinal);
        using var whole = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(_content, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/plain", whole.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", whole.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.NotNull(whole.Headers.ETag);
        Assert.True(whole.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {whole.Headers.CacheControl}");

        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new RangeHeaderValue(10, 15);
        using var part = await _http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(_content[10..16], await part.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(whole.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(conditional)).StatusCode);

        using var html = await _http.GetAsync(await SignAsync("docs/page.html"));
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", html.Content.Headers.ContentDisposition!.DispositionType);
    }

    [Promise("P-WEB-28", "P-WEB-34", "P-WEB-35")]
    [Fact]
    public async Task Wrong_altered_or_expired_signatures_get_an_empty_403()
    {
        var url = (await SignAsync("docs/a b.txt")).AbsoluteUri;
        var query = url[url.IndexOf('?', StringComparison.Ordinal)..];
        var sig = url[(url.IndexOf("sig=", StringComparison.Ordinal) + 4)..];
        var flipped = url.Replace("sig=" + sig, "sig=" + (sig[0] == 'A' ? 'B' : 'A') + sig[1..], StringComparison.Ordinal);
        string[] forged =
        [
            url[..url.IndexOf('?', StringComparison.Ordinal)],                                    // no signature
            flipped,                                                                           // altered signature
            url.Replace("expires=", "expires=1", StringComparison.Ordinal),                      // altered expiry
            url.Replace("method=GET", "method=PUT", StringComparison.Ordinal),                   // altered method
            url.Replace("max=&", "max=5&", StringComparison.Ordinal),                            // altered limit
            url.Replace("type=&", "type=text%2Fhtml&", StringComparison.Ordinal),                // altered type
            new Uri(_host.BaseUrl, "docs/page.html" + query).AbsoluteUri,                       // another key
            url + "&sig=" + sig,                                                               // duplicated parameter
        ];
        foreach (var forgery in forged)
        {
            using var response = await _http.GetAsync(forgery);
            await AssertForbiddenAndSilentAsync(response);
        }

        using (var put = await PutAsync(new Uri(url), _content))
        {
            await AssertForbiddenAndSilentAsync(put); // a GET URL does not allow PUT
        }

        var otherKey = new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
        {
            RootDirectory = _root, SigningKey = RandomNumberGenerator.GetBytes(32), BaseUrl = _host.BaseUrl,
        });
        using (var foreign = await _http.GetAsync(await otherKey.GetSignedUrlAsync("docs/a b.txt", new SignedUrlOptions())))
        {
            await AssertForbiddenAndSilentAsync(foreign);
        }

        _clock.Now += TimeSpan.FromMinutes(5);
        using var expired = await _http.GetAsync(url);
        await AssertForbiddenAndSilentAsync(expired);
    }

    [Promise("P-WEB-28", "P-WEB-36")]
    [Fact]
    public async Task A_signed_put_creates_once_within_its_size_and_type()
    {
        var url = await SignAsync("uploads/new.txt", SignedUrlMethod.Put, "text/plain", max: 100);
        using (var wrongType = await PutAsync(url, _content, "text/html"))
        {
            await AssertForbiddenAndSilentAsync(wrongType);
        }

        using (var tooBig = await PutAsync(url, new byte[101]))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        }

        Assert.False(await Backend.ExistsAsync("uploads/new.txt"));
        using (var created = await PutAsync(url, _content))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var again = await PutAsync(url, Encoding.ASCII.GetBytes("replaced?")))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        var info = await Backend.GetInfoAsync("uploads/new.txt");
        Assert.Equal("text/plain", info.ContentType);
        await using var stored = await Backend.OpenReadAsync("uploads/new.txt");
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(_content, copy.ToArray());

        // The backend's own limit caps what a URL may allow.
        var capped = await SignAsync("uploads/capped.bin", SignedUrlMethod.Put, max: 1_000_000);
        using var overCap = await PutAsync(capped, new byte[1001], "application/octet-stream");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overCap.StatusCode);
    }

    [Fact]
    public void A_configured_local_backend_signs_with_SigningKey_and_BaseUrl()
    {
        StorageRegistry Build(string? key, string? baseUrl)
        {
            var settings = new Dictionary<string, string?> { ["Backends:files:Type"] = "Local", ["Backends:files:RootPath"] = _root,
                ["Backends:files:SigningKey"] = key, ["Backends:files:BaseUrl"] = baseUrl };
            var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            return Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(
                    new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddAlchemyTypesStorage(configuration))
                .GetRequiredService<StorageRegistry>();
        }

        var signing = Assert.IsType<LocalFileSystemStorageBackend>(Build(Convert.ToBase64String(new byte[32]), "https://x.example/files/").Get("files"));
        Assert.True(signing.CanSignUrls);
        Assert.False(((LocalFileSystemStorageBackend)Build(null, null).Get("files")).CanSignUrls);
        Assert.Throws<AlchemyTypesConfigurationException>(() => Build("not base64!", "https://x.example/files/").Get("files"));
        Assert.Throws<AlchemyTypesConfigurationException>(() => Build(Convert.ToBase64String(new byte[32]), null).Get("files"));
    }

    [Fact]
    public async Task Local_signing_options_are_validated()
    {
        Assert.Throws<AlchemyTypesConfigurationException>(() => new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
        {
            RootDirectory = _root, SigningKey = new byte[16], BaseUrl = new Uri("https://x.example/"),
        }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
        {
            RootDirectory = _root, SigningKey = new byte[32],
        }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
        {
            RootDirectory = _root, SigningKey = new byte[32], BaseUrl = new Uri("ftp://x.example/"),
        }));
        var unsigned = new LocalFileSystemStorageBackend(_root);
        Assert.False(unsigned.CanSignUrls);
        await Assert.ThrowsAsync<StorageCapabilityException>(() => unsigned.GetSignedUrlAsync("a.txt", new SignedUrlOptions()));
    }
}
