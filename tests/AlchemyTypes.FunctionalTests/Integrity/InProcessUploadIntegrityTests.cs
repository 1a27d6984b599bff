using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Integrity;

/// <summary>
/// The check every backend gets from SaveChanges, built-in or not: a backend that stores (and reports) fewer bytes than were
/// read from the content fails the save with <see cref="StorageIntegrityException"/>; the object is removed and no row written.
/// </summary>
public sealed class InProcessUploadIntegrityTests : IAsyncLifetime
{
    private readonly InMemoryStorageBackend _store = new();
    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await new SqliteTestStore().CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database!.DisposeAsync();

    private LifecycleContext CreateContext(IStorageBackend backend)
    {
        var builder = new DbContextOptionsBuilder<LifecycleContext>();
        _database!.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", backend).AddStorage("secondary", new InMemoryStorageBackend()));
        return new LifecycleContext(builder.Options);
    }

    [Theory]
    [Promise("P-INTEG-06")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_backend_that_keeps_fewer_bytes_than_were_sent_fails_the_save_and_its_object_is_removed(bool async)
    {
        var truncating = new TruncatingBackend(_store);
        var file = FileObject.FromBytes(IntegrityContent.RandomBytes(100_000), "short.bin");
        await using (var context = CreateContext(truncating))
        {
            await context.Database.EnsureCreatedAsync();
            context.Add(new Document { Name = "short", File = file });
            var error = async
                ? await Assert.ThrowsAsync<FileStorageException>(() => context.SaveChangesAsync())
                : Assert.Throws<FileStorageException>(() => context.SaveChanges());
            var integrity = Assert.IsType<StorageIntegrityException>(error.InnerException);
            Assert.Equal(100_000, integrity.SentBytes);
            Assert.Equal(99_999, integrity.StoredBytes);
            Assert.True(integrity.ObjectRemoved);
        }

        Assert.Equal(1, truncating.Uploads);
        Assert.Empty(_store.Keys);
        await using (var context = CreateContext(truncating))
        {
            Assert.Equal(0, await context.Documents.CountAsync());
        }
    }

    /// <summary>A real backend that drops the last byte of every upload (a buggy third-party backend).</summary>
    private sealed class TruncatingBackend(InMemoryStorageBackend inner) : IStorageBackend
    {
        public int Uploads { get; private set; }

        public async Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            Uploads++;
            var bytes = await Read(content);
            return await inner.UploadAsync(key, new MemoryStream(bytes, 0, bytes.Length - 1), options, cancellationToken);
        }

        public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
            => UploadAsync(key, content, options).GetAwaiter().GetResult();

        public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
            => inner.OpenReadAsync(key, range, cancellationToken);

        public Stream OpenRead(string key, StorageRange? range = null) => inner.OpenRead(key, range);

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

        public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default) => inner.GetInfoAsync(key, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
            => inner.DeleteManyAsync(keys, cancellationToken);

        public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys) => inner.DeleteMany(keys);

        private static async Task<byte[]> Read(Stream content)
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }
}
