using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Integrity;

/// <summary>
/// End-to-end upload verification on s3rver. The AWS SDK's defaults (aws-chunked bodies with a trailing CRC32 checksum) make
/// s3rver store the chunk framing as content: 6,298,593 bytes for a 6,291,456-byte upload. The save must notice it, fail
/// with <see cref="StorageIntegrityException"/>, write no row and leave no object.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3UploadIntegrityTests(S3ServerFixture server) : IAsyncLifetime
{
    private const int SixMiB = 6 * 1024 * 1024;
    private IAmazonS3? _client;
    private string _bucket = "";
    private TestDatabase? _database;

    private IAmazonS3 Client => _client!;

    public async Task InitializeAsync()
    {
        // The client exactly as the AWS SDK builds it by default, except for the endpoint: checksums WHEN_SUPPORTED.
        _client = server.CreateClient(config =>
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_SUPPORTED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_SUPPORTED;
        });
        _bucket = await S3TestBuckets.CreateAsync(_client);
        _database = await new SqliteTestStore().CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await S3TestBuckets.DeleteAsync(Client, _bucket);
        _client?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private LifecycleContext CreateContext(IStorageBackend backend)
    {
        var builder = new DbContextOptionsBuilder<LifecycleContext>();
        _database!.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", backend).AddStorage("secondary", new InMemoryStorageBackend()));
        return new LifecycleContext(builder.Options);
    }

    [Theory]
    [Promise("P-INTEG-01")]
    [InlineData(SixMiB)] // one PUT (it fits in the first 8 MiB part): the reported case
    [InlineData(12 * 1024 * 1024)] // a multipart upload of two parts
    public async Task A_store_that_keeps_other_bytes_than_were_sent_fails_the_save_with_StorageIntegrityException_and_leaves_no_row_and_no_object(
        int size)
    {
        if (server.IsExternal)
        {
            return; // a real S3 or MinIO decodes aws-chunked bodies: nothing to corrupt
        }

        // The backend's defaults: aws-chunked bodies (UseChunkEncoding = true).
        using var backend = new S3StorageBackend(Client, new S3StorageOptions { BucketName = _bucket });
        var file = FileObject.FromStream(new MemoryStream(IntegrityContent.RandomBytes(size)), "big.bin");
        await using (var context = CreateContext(backend))
        {
            await context.Database.EnsureCreatedAsync();
            context.Add(new Document { Name = "corrupted", File = file });
            var error = await Assert.ThrowsAsync<FileStorageException>(() => context.SaveChangesAsync());
            Assert.Equal("Document.File", error.Property);
            var integrity = Assert.IsType<StorageIntegrityException>(error.InnerException);
            Assert.True(integrity.ObjectRemoved);
            Assert.Equal(file.Key, integrity.Key);
            Assert.Equal(size, integrity.SentBytes);
            Assert.Contains("UseChunkEncoding", integrity.Message, StringComparison.Ordinal);
        }

        await using (var context = CreateContext(backend))
        {
            Assert.Equal(0, await context.Documents.CountAsync());
        }

        Assert.Empty(await S3TestBuckets.ListKeysAsync(Client, _bucket));
    }

    [Theory]
    [Promise("P-INTEG-05")]
    [InlineData(1024 * 1024)] // one PUT from the first buffer, with Content-MD5
    [InlineData(12 * 1024 * 1024)] // two parts, each with Content-MD5
    public async Task Bytes_altered_on_the_way_to_S3_fail_the_save_with_StorageIntegrityException_and_leave_no_row_and_no_object(int size)
    {
        using var corrupting = new CorruptingHandler();
        using var client = S3TestBuckets.CreateClient(server, corrupting);
        using var backend = new S3StorageBackend(client, S3TestBuckets.Options(server, _bucket));
        var file = FileObject.FromStream(new MemoryStream(IntegrityContent.RandomBytes(size)), "altered.bin");
        await using (var context = CreateContext(backend))
        {
            await context.Database.EnsureCreatedAsync();
            context.Add(new Document { Name = "altered", File = file });
            var error = await Assert.ThrowsAsync<FileStorageException>(() => context.SaveChangesAsync());
            var integrity = Assert.IsType<StorageIntegrityException>(error.InnerException);
            Assert.Equal(file.Key, integrity.Key);
        }

        Assert.True(corrupting.Corrupted > 0);
        await using (var context = CreateContext(backend))
        {
            Assert.Equal(0, await context.Documents.CountAsync());
        }

        Assert.Empty(await S3TestBuckets.ListKeysAsync(Client, _bucket));
    }

    [Fact]
    [Promise("P-INTEG-02")]
    public async Task A_single_PUT_from_a_seekable_stream_is_verified_too_and_the_corrupt_object_is_removed()
    {
        if (server.IsExternal)
        {
            return;
        }

        using var backend = new S3StorageBackend(Client, new S3StorageOptions { BucketName = _bucket });
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(
            () => backend.UploadAsync("seekable.bin", new MemoryStream(IntegrityContent.RandomBytes(SixMiB))));
        Assert.Equal("seekable.bin", error.Key);
        Assert.Equal(SixMiB, error.SentBytes);
        Assert.False(await backend.ExistsAsync("seekable.bin"));
    }
}
