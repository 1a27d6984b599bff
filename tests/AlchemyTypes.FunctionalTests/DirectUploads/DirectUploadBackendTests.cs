using System.Net;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.S3;
using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.DirectUploads;

/// <summary>Direct uploads to the local backend through its signed endpoint on a real Kestrel server.</summary>
public sealed class LocalDirectUploadTests : DirectUploadTestBase
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-direct");
    private LocalStorageHost? _host;

    protected override bool SizeEnforcedByUploadUrl => true;

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _host = await LocalStorageHost.StartAsync(_root, SigningKey);
        return _host.Backend;
    }

    protected override async Task DisposeBackendAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Promise("P-WEB-24", "P-WEB-33")]
    [Fact]
    public async Task An_upload_never_attached_is_collected_by_reconcile_after_the_grace_period()
    {
        await using var db = NewContext();
        var kept = await UploadAttachAndSaveAsync(Pdf(1000), "kept");
        var target = await db.CreateDirectUploadAsync<Document>(d => d.File, new DirectUploadRequest { FileName = "abandoned.pdf", Size = 1000 });
        using (var put = await PutAsync(target, Pdf(1000)))
        {
            Assert.True(put.IsSuccessStatusCode);
        }

        var abandoned = await Files.ListAsync(new StorageListOptions { Prefix = "direct-uploads/" }).Select(o => o.Key).SingleAsync();

        var young = await db.ReconcileFilesAsync(new FileReconcileOptions { Backends = ["files"] });
        Assert.Equal(0, young.OrphansFound);
        Assert.True(await Files.ExistsAsync(abandoned));

        var later = new ManualTimeProvider(DateTimeOffset.UtcNow.AddHours(25));
        var report = await db.ReconcileFilesAsync(new FileReconcileOptions { Backends = ["files"], TimeProvider = later });
        Assert.Equal(1, report.OrphansFound);
        await db.ProcessPendingStorageDeletesAsync();
        Assert.False(await Files.ExistsAsync(abandoned));
        Assert.True(await Files.ExistsAsync(kept.Row.File!.Key));
    }

    [Promise("P-WEB-25", "P-WEB-29")]
    [Fact]
    public async Task A_signed_put_url_for_a_stored_file_is_refused()
    {
        var (_, row) = await UploadAttachAndSaveAsync(Pdf(100), "stored");
        var error = await Assert.ThrowsAsync<FileObjectStateException>(() => row.File!.GetSignedUrlAsync(
            new SignedUrlOptions { Method = SignedUrlMethod.Put }));
        Assert.Contains("CreateDirectUploadAsync", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await row.File!.GetSignedUrlAsync()); // GET is still fine
    }
}

/// <summary>Direct uploads to s3rver through presigned PUT URLs.</summary>
[Collection(S3Collection.Name)]
public sealed class S3DirectUploadTests(S3ServerFixture server) : DirectUploadTestBase
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string _bucket = "";

    protected override bool SizeEnforcedByUploadUrl => false;

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

    [Promise("P-WEB-26")]
    [Fact]
    public async Task The_fixture_cors_rule_lets_a_browser_preflight_a_direct_upload()
    {
        const string origin = "http://127.0.0.1:5000";
        await S3ServerFixture.AllowBrowserUploadsAsync(_client, _bucket, origin);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{server.ServiceUrl}/{_bucket}/direct-uploads/x/a.pdf");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Access-Control-Allow-Origin", out var allowed), "no Access-Control-Allow-Origin");
        Assert.Contains(allowed, v => v == "*" || v == origin);
        Assert.Contains("PUT", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }
}

/// <summary>Direct uploads to Azurite through SAS URLs (with x-ms-blob-type).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureDirectUploadTests(AzuriteFixture server) : DirectUploadTestBase
{
    private BlobContainerClient? _container;

    protected override bool SizeEnforcedByUploadUrl => false;

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
        return new AzureBlobStorageBackend(_container);
    }

    protected override async Task DisposeBackendAsync() => await _container!.DeleteAsync();

    [Promise("P-WEB-26")]
    [Fact]
    public async Task The_fixture_cors_rule_lets_a_browser_preflight_a_direct_upload()
    {
        const string origin = "http://127.0.0.1:5000";
        await server.AllowBrowserUploadsAsync(origin);
        await using var db = NewContext();
        var target = await db.CreateDirectUploadAsync<Document>(d => d.File, new DirectUploadRequest { FileName = "a.pdf", Size = 10 });
        Assert.Equal("BlockBlob", target.Headers["x-ms-blob-type"]);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, target.Url);
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-ms-blob-type");
        using var response = await Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Access-Control-Allow-Origin", out var allowed), "no Access-Control-Allow-Origin");
        Assert.Contains(allowed, v => v == "*" || v == origin);
    }
}
