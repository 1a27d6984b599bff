using System.Collections.Concurrent;
using AlchemyTypes.Storage;

namespace AlchemyTypes.TestWorker;

/// <summary>Passes everything to the real backend and remembers every key whose delete succeeded.</summary>
internal sealed class DeleteLoggingStorageBackend(IStorageBackend inner) : IStorageBackend
{
    private readonly ConcurrentQueue<string> _deleted = new();

    public IReadOnlyCollection<string> DeletedKeys => _deleted;

    public Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
        => inner.UploadAsync(key, content, options, cancellationToken);

    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null) => inner.Upload(key, content, options);

    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
        => inner.OpenReadAsync(key, range, cancellationToken);

    public Stream OpenRead(string key, StorageRange? range = null) => inner.OpenRead(key, range);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default) => inner.GetInfoAsync(key, cancellationToken);

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await inner.DeleteAsync(key, cancellationToken);
        _deleted.Enqueue(key);
    }

    public async Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteAsync(key, options, cancellationToken);
        if (deleted)
        {
            _deleted.Enqueue(key);
        }

        return deleted;
    }

    public async Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var result = await inner.DeleteManyAsync(keys, cancellationToken);
        foreach (var key in result.Deleted)
        {
            _deleted.Enqueue(key);
        }

        return result;
    }

    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys)
    {
        var result = inner.DeleteMany(keys);
        foreach (var key in result.Deleted)
        {
            _deleted.Enqueue(key);
        }

        return result;
    }
}
