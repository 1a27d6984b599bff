using System.Globalization;
using System.Web;
using AlchemyTypes.AspNetCore;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.S3;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>
/// Signed URL lifetimes (the default, the 7-day and zero/negative boundaries, read from the URL the store will check) and the
/// ASP.NET Core redirect (302, 5 minutes, no-store), against a real store; subclassed for S3 and Azure Blob.
/// </summary>
public abstract class SignedUrlTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private IStorageBackend _backend = null!;
    private ISignedUrlStorageBackend _signer = null!;
    private FileObject _file = null!;

    protected static readonly byte[] Content = "a file behind a signed URL"u8.ToArray();

    public async Task InitializeAsync()
    {
        _backend = await CreateBackendAsync();
        _signer = (ISignedUrlStorageBackend)_backend;
        await _connection.OpenAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
        var row = new SignedRow { File = FileObject.FromBytes(Content, "signed.txt") };
        context.Add(row);
        await context.SaveChangesAsync();
        _file = row.File;
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await DisposeBackendAsync();
    }

    protected abstract Task<IStorageBackend> CreateBackendAsync();

    protected abstract Task DisposeBackendAsync();

    /// <summary>How long the store will honour <paramref name="url"/>, read from its signed query parameters.</summary>
    protected abstract TimeSpan LifetimeOf(Uri url);

    private SignedContext CreateContext()
        => new(new DbContextOptionsBuilder<SignedContext>().ForTests().UseSqlite(_connection).AddAlchemyTypes(a => a.AddStorage("files", _backend)).Options);

    [Promise("P-URL-02")]
    [Fact]
    public async Task A_url_lasts_one_hour_unless_set()
    {
        Assert.True(_file.CanSignUrls);
        AssertLifetime(TimeSpan.FromHours(1), await _file.GetSignedUrlAsync());
        AssertLifetime(TimeSpan.FromHours(1), await _file.GetSignedUrlAsync(new SignedUrlOptions()));
        AssertLifetime(TimeSpan.FromMinutes(10), await _file.GetSignedUrlAsync(new SignedUrlOptions { ExpiresIn = TimeSpan.FromMinutes(10) }));
        using var http = new HttpClient();
        Assert.Equal(Content, await http.GetByteArrayAsync(await _file.GetSignedUrlAsync()));
    }

    [Promise("P-URL-02")]
    [Fact]
    public async Task Seven_days_is_the_longest_and_zero_or_negative_are_refused_before_signing()
    {
        AssertLifetime(TimeSpan.FromDays(7), await _signer.GetSignedUrlAsync(_file.Key, new SignedUrlOptions { ExpiresIn = TimeSpan.FromDays(7) }));
        foreach (var refused in new[] { TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromSeconds(-1), TimeSpan.MinValue })
        {
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
                () => _signer.GetSignedUrlAsync(_file.Key, new SignedUrlOptions { ExpiresIn = refused }));
            Assert.Contains("ExpiresIn", error.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _file.GetSignedUrlAsync(new SignedUrlOptions { ExpiresIn = refused }));
        }
    }

    [Promise("P-URL-03", "P-WEB-02")]
    [Fact]
    public async Task The_redirect_is_a_302_to_a_five_minute_url_that_is_not_cached()
    {
        foreach (var result in new[] { FileObjectResults.RedirectToSignedUrl(_file), FileObjectResults.Download(_file) })
        {
            var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
            context.Request.Method = "GET";
            await result.ExecuteAsync(context);

            Assert.Equal(302, context.Response.StatusCode);
            Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
            var location = new Uri(context.Response.Headers.Location.ToString());
            AssertLifetime(TimeSpan.FromMinutes(5), location);
            using var http = new HttpClient();
            Assert.Equal(Content, await http.GetByteArrayAsync(location));
        }

        var custom = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        await FileObjectResults.RedirectToSignedUrl(_file, TimeSpan.FromMinutes(2)).ExecuteAsync(custom);
        AssertLifetime(TimeSpan.FromMinutes(2), new Uri(custom.Response.Headers.Location.ToString()));
    }

    private void AssertLifetime(TimeSpan expected, Uri url)
    {
        // Both stores express the lifetime in whole seconds; allow two seconds for the time between signing and reading.
        var actual = LifetimeOf(url);
        Assert.InRange(actual, expected - TimeSpan.FromSeconds(2), expected + TimeSpan.FromSeconds(2));
    }

    protected static string Query(Uri url, string name)
        => HttpUtility.ParseQueryString(url.Query)[name] ?? throw new InvalidOperationException($"The signed URL has no '{name}' parameter: {url}");

    public sealed class SignedRow
    {
        public int Id { get; set; }

        public FileObject File { get; set; } = null!;
    }

    public sealed class SignedContext(DbContextOptions<SignedContext> options) : DbContext(options)
    {
        public DbSet<SignedRow> Rows => Set<SignedRow>();
    }
}

/// <summary>S3 pre-signed URLs: the lifetime is <c>X-Amz-Expires</c> seconds from <c>X-Amz-Date</c>.</summary>
[Collection(S3Collection.Name)]
public sealed class S3SignedUrlTests(S3ServerFixture server) : SignedUrlTests
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string _bucket = "";

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket));
    }

    protected override async Task DisposeBackendAsync()
    {
        await S3TestBuckets.DeleteAsync(_client, _bucket);
        _client.Dispose();
    }

    protected override TimeSpan LifetimeOf(Uri url) => TimeSpan.FromSeconds(int.Parse(Query(url, "X-Amz-Expires"), CultureInfo.InvariantCulture));
}

/// <summary>Azure SAS URLs: the lifetime is from now to the signed expiry <c>se</c>.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobSignedUrlTests(AzuriteFixture server) : SignedUrlTests
{
    private BlobContainerClient? _container;

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
        return new AzureBlobStorageBackend(_container);
    }

    protected override async Task DisposeBackendAsync() => await _container!.DeleteAsync();

    protected override TimeSpan LifetimeOf(Uri url)
        => DateTimeOffset.Parse(Query(url, "se"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) - DateTimeOffset.UtcNow;
}
