using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Testing;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Integrity;

/// <summary>
/// End-to-end upload verification on Azurite, with a handler that alters request bodies on their way (headers untouched):
/// the save fails with <see cref="StorageIntegrityException"/>, writes no row and leaves no blob.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureUploadIntegrityTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly CorruptingHandler _corrupting = new();
    private HttpClient? _http;
    private BlobContainerClient? _container;
    private TestDatabase? _database;

    public async Task InitializeAsync()
    {
        _http = new HttpClient(_corrupting, disposeHandler: false);
        var options = new BlobClientOptions { Transport = new HttpClientTransport(_http) };
        options.Retry.MaxRetries = 0;
        _container = new BlobServiceClient(azurite.ConnectionString, options).GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await _container.CreateAsync();
        _database = await new SqliteTestStore().CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await _container!.DeleteIfExistsAsync();
        _http?.Dispose();
        _corrupting.Dispose();
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
    [Promise("P-INTEG-03")]
    [InlineData(512 * 1024)] // one Put Blob from the first buffer, with a transactional Content-MD5
    [InlineData(3 * 1024 * 1024)] // three staged blocks, each with a transactional Content-MD5
    public async Task Bytes_altered_on_the_way_to_Azure_fail_the_save_with_StorageIntegrityException_and_leave_no_row_and_no_blob(int size)
    {
        using var backend = new AzureBlobStorageBackend(_container!, new AzureBlobStorageOptions { TransferSize = 1024 * 1024 });
        var file = FileObject.FromStream(new MemoryStream(IntegrityContent.RandomBytes(size)), "altered.bin");
        await using (var context = CreateContext(backend))
        {
            await context.Database.EnsureCreatedAsync();
            context.Add(new Document { Name = "altered", File = file });
            var error = await Assert.ThrowsAsync<FileStorageException>(() => context.SaveChangesAsync());
            var integrity = error.InnerException as StorageIntegrityException;
            Assert.True(integrity is not null, error.ToString());
            Assert.Equal(file.Key, integrity.Key);
            Assert.True(integrity.ObjectRemoved);
        }

        Assert.True(_corrupting.Corrupted > 0);
        await using (var context = CreateContext(backend))
        {
            Assert.Equal(0, await context.Documents.CountAsync());
        }

        Assert.Empty(await IntegrityContent.BlobNamesAsync(_container!));
    }

    [Fact]
    [Promise("P-INTEG-04")]
    public async Task A_Put_Blob_from_a_seekable_stream_is_compared_with_the_Content_MD5_Azure_computed_and_removed_when_it_differs()
    {
        using var backend = new AzureBlobStorageBackend(_container!);
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(
            () => backend.UploadAsync("seekable.bin", new MemoryStream(IntegrityContent.RandomBytes(512 * 1024))));
        Assert.Equal("seekable.bin", error.Key);
        Assert.NotNull(error.StoredChecksum);
        Assert.NotEqual(error.SentChecksum, error.StoredChecksum);
        Assert.Empty(await IntegrityContent.BlobNamesAsync(_container!));
    }
}

/// <summary>Content and listings for the integrity tests.</summary>
internal static class IntegrityContent
{
    public static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }

    public static async Task<List<string>> BlobNamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
