using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.Storage;

/// <summary>Backends made from configuration are created once, on first use, and disposed with the service provider.</summary>
public sealed class StorageRegistryDisposalTests
{
    [Promise("P-CLOUD-04")]
    [Fact]
    public async Task Configured_backends_are_created_once_when_first_resolved_and_disposed_with_the_service_provider()
    {
        var created = new List<DisposableBackend>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Default"] = "files",
            ["Storage:Backends:files:Type"] = "Tracked",
            ["Storage:Backends:other:Type"] = "Tracked",
        }).Build();
        var services = new ServiceCollection();
        services.AddAlchemyTypesStorage(configuration.GetSection("Storage"), types => types.Add("Tracked", _ =>
        {
            var backend = new DisposableBackend();
            created.Add(backend);
            return backend;
        }));

        DisposableBackend files;
        await using (var provider = services.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<StorageRegistry>();
            files = Assert.IsType<DisposableBackend>(registry.Get("files"));
            Assert.Same(files, registry.Get("files"));
            Assert.Same(files, provider.GetRequiredService<StorageRegistry>().Default);
            await files.UploadAsync("a.txt", new MemoryStream([1]));
            Assert.True(await registry.Get("files").ExistsAsync("a.txt"));
            Assert.False(files.Disposed);
        }

        Assert.True(files.Disposed);
        Assert.All(created, b => Assert.True(b.Disposed));
    }

    /// <summary>The in-memory backend, plus a record of its disposal.</summary>
    private sealed class DisposableBackend : IStorageBackend, IDisposable
    {
        private readonly InMemoryStorageBackend _inner = new();

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;

        public Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null,
            CancellationToken cancellationToken = default)
            => _inner.UploadAsync(key, content, options, cancellationToken);

        public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null) => _inner.Upload(key, content, options);

        public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
            => _inner.OpenReadAsync(key, range, cancellationToken);

        public Stream OpenRead(string key, StorageRange? range = null) => _inner.OpenRead(key, range);

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _inner.ExistsAsync(key, cancellationToken);

        public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default) => _inner.GetInfoAsync(key, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

        public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
            => _inner.DeleteManyAsync(keys, cancellationToken);

        public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys) => _inner.DeleteMany(keys);
    }
}
