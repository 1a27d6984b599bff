using AlchemyTypes.Storage;

namespace AlchemyTypes.FunctionalTests.Maintenance;

/// <summary>A real backend with a callback before each upload, to act (as a user would) at a chosen moment of an operation.</summary>
public sealed class HookedStorageBackend(IStorageBackend inner) : IStorageBackend
{
    public Func<string, Task>? BeforeUpload { get; init; }

    /// <summary>Called once a listing has returned its last item.</summary>
    public Func<Task>? AfterList { get; init; }

    /// <summary>While true, every delete fails (as when the store is unreachable).</summary>
    public bool FailDeletes { get; set; }

    public bool CanList => inner.CanList;

    public async Task<StoredObjectInfo> UploadAsync(
        string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (BeforeUpload is not null)
        {
            await BeforeUpload(key);
        }

        return await inner.UploadAsync(key, content, options, cancellationToken);
    }

    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null) => inner.Upload(key, content, options);

    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
        => inner.OpenReadAsync(key, range, cancellationToken);

    public Stream OpenRead(string key, StorageRange? range = null) => inner.OpenRead(key, range);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default) => inner.GetInfoAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
        => FailDeletes ? throw Unreachable() : inner.DeleteAsync(key, cancellationToken);

    public Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
        => FailDeletes ? throw Unreachable() : inner.DeleteAsync(key, options, cancellationToken);

    public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => FailDeletes ? throw Unreachable() : inner.DeleteManyAsync(keys, cancellationToken);

    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys) => FailDeletes ? throw Unreachable() : inner.DeleteMany(keys);

    private static IOException Unreachable() => new("the storage backend is unreachable (test)");

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(
        StorageListOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in inner.ListAsync(options, cancellationToken))
        {
            yield return item;
        }

        if (AfterList is not null)
        {
            await AfterList();
        }
    }
}
