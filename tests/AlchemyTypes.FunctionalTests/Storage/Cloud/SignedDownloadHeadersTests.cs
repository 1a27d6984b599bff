using System.Net.Http.Headers;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.S3;
using Azure.Storage.Blobs;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>
/// Issue 21: a signed GET URL of S3 or Azure makes the store answer with <c>Content-Disposition</c> (inline only for
/// FileServing's allowlist, the real name as RFC 5987 <c>filename*</c>) and the row's content type, fetched from s3rver and Azurite.
/// </summary>
public abstract class SignedDownloadHeadersTests : IAsyncLifetime
{
    private const string Name = "Rapport März \"final\".xsl";
    protected HttpClient Http { get; } = new();

    protected abstract ISignedUrlStorageBackend Backend { get; }

    /// <summary>
    /// Whether the test server refuses a URL whose overrides were edited after signing: Azurite, S3 and MinIO do; s3rver accepts
    /// it (it does not check the signature of the query), so there only the signing is verified.
    /// </summary>
    protected abstract bool ServerChecksSignedQuery { get; }

    /// <summary>The query parameter that carries the signed disposition.</summary>
    protected abstract string DispositionParameter { get; }

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync()
    {
        Http.Dispose();
        return Task.CompletedTask;
    }

    private string? Signed(Uri url) => System.Web.HttpUtility.ParseQueryString(url.Query)[DispositionParameter];

    [Promise("P-CLOUD-52")]
    [Fact]
    public async Task An_active_type_is_an_attachment_with_its_real_name()
    {
        await Backend.UploadAsync("signed/notes.xsl", new MemoryStream("notes"u8.ToArray()), new StorageUploadOptions { ContentType = "text/xsl" });

        var url = await Backend.GetSignedUrlAsync("signed/notes.xsl", new SignedUrlOptions { FileName = Name, ContentType = "text/xsl" });

        var expected = FileServing.ContentDisposition(Name, "text/xsl", inlineRequested: true);
        Assert.StartsWith("attachment;", expected, StringComparison.Ordinal);
        Assert.Equal(expected, Signed(url)); // signed into the URL
        using var response = await Http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} for {url}");
        Assert.Equal("notes"u8.ToArray(), await response.Content.ReadAsByteArrayAsync());
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("Rapport März _final_.xsl", disposition.FileNameStar);
        Assert.Equal("text/xsl", response.Content.Headers.ContentType!.MediaType);
    }

    [Promise("P-CLOUD-53")]
    [Fact]
    public async Task An_image_is_inline_unless_a_download_is_asked_and_a_tampered_disposition_is_refused()
    {
        await Backend.UploadAsync("signed/p.png", new MemoryStream(ContentSamples.Png), new StorageUploadOptions { ContentType = "image/png" });

        var inline = await Backend.GetSignedUrlAsync("signed/p.png", new SignedUrlOptions { FileName = "photo.png", ContentType = "image/png" });
        var download = await Backend.GetSignedUrlAsync("signed/p.png", new SignedUrlOptions { FileName = "photo.png", ContentType = "image/png",
            Inline = false });
        var unknown = await Backend.GetSignedUrlAsync("signed/p.png", new SignedUrlOptions()); // no type given: attachment

        Assert.StartsWith("inline; filename=\"photo.png\"", Signed(inline), StringComparison.Ordinal);
        Assert.StartsWith("attachment; filename=\"photo.png\"", Signed(download), StringComparison.Ordinal);
        Assert.StartsWith("attachment; filename=\"p.png\"", Signed(unknown), StringComparison.Ordinal);
        foreach (var (url, expected) in new[] { (inline, "inline"), (download, "attachment"), (unknown, "attachment") })
        {
            using var response = await Http.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} for {url}");
            Assert.Equal(expected, response.Content.Headers.ContentDisposition!.DispositionType);
        }

        // The disposition is part of the signature: turning an attachment into inline is refused by the store.
        var forged = new Uri(download.AbsoluteUri.Replace("attachment", "inline", StringComparison.Ordinal));
        Assert.NotEqual(download, forged);
        if (ServerChecksSignedQuery)
        {
            using var refused = await Http.GetAsync(forged);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        }
    }
}

/// <summary>s3rver (3.7) applies the signed <c>response-content-*</c> overrides like S3 and MinIO, so the answered headers are checked
/// (but it does not refuse an edited query: that part is checked only against a real S3 or MinIO, <c>ALCHEMYTYPES_TEST_S3</c>).</summary>
[Collection(S3Collection.Name)]
public sealed class S3SignedDownloadHeadersTests(S3ServerFixture server) : SignedDownloadHeadersTests
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string _bucket = "";
    private S3StorageBackend? _backend;

    protected override ISignedUrlStorageBackend Backend => _backend!;

    protected override string DispositionParameter => "response-content-disposition";

    protected override bool ServerChecksSignedQuery => server.IsExternal;

    public override async Task InitializeAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        _backend = new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket));
    }

    public override async Task DisposeAsync()
    {
        await S3TestBuckets.DeleteAsync(_client, _bucket);
        _client.Dispose();
        await base.DisposeAsync();
    }

    [Promise("P-CLOUD-50")]
    [Fact]
    public async Task The_presigned_GET_signs_response_content_disposition_and_type()
    {
        var url = await Backend.GetSignedUrlAsync("signed/x.xsl", new SignedUrlOptions { FileName = "ä.xsl", ContentType = "text/xsl" });
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("attachment; filename=\"_.xsl\"; filename*=UTF-8''%C3%A4.xsl", query["response-content-disposition"]);
        Assert.Equal("text/xsl", query["response-content-type"]);
    }
}

/// <summary>Azurite honours the SAS <c>rscd</c> and <c>rsct</c> overrides, so the answered headers are checked.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureSignedDownloadHeadersTests(AzuriteFixture server) : SignedDownloadHeadersTests
{
    private BlobContainerClient? _container;
    private AzureBlobStorageBackend? _backend;

    protected override ISignedUrlStorageBackend Backend => _backend!;

    protected override string DispositionParameter => "rscd";

    protected override bool ServerChecksSignedQuery => true;

    public override async Task InitializeAsync()
    {
        _container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
        _backend = new AzureBlobStorageBackend(_container);
    }

    public override async Task DisposeAsync()
    {
        _backend?.Dispose();
        await _container!.DeleteAsync();
        await base.DisposeAsync();
    }

    [Promise("P-CLOUD-51")]
    [Fact]
    public async Task The_sas_answers_with_the_disposition_and_the_rows_type()
    {
        await Backend.UploadAsync("signed/mixed.bin", new MemoryStream("x"u8.ToArray()), new StorageUploadOptions { ContentType = "application/octet-stream" });
        var url = await Backend.GetSignedUrlAsync("signed/mixed.bin", new SignedUrlOptions { FileName = "ä.bin",
            ContentType = "multipart/x-mixed-replace; boundary=x" });

        using var response = await Http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} for {url}");
        Assert.Equal("attachment; filename=\"_.bin\"; filename*=UTF-8''%C3%A4.bin", response.Content.Headers.GetValues("Content-Disposition").Single());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType); // multipart never reaches a browser
    }
}
