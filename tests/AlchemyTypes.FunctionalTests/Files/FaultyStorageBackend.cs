using AlchemyTypes.Storage;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// A real backend with switchable faults, for the failure paths of the lifecycle: uploads that break after some bytes,
/// deletes that fail. Everything else passes through to the wrapped backend. Not a mock: the objects really are stored.
/// </summary>
public sealed class FaultyStorageBackend(IStorageBackend inner) : IStorageBackend
{
    public IStorageBackend Inner { get; } = inner;

    /// <summary>When set, uploads throw an IOException after this many bytes were read from the source.</summary>
    public long? FailUploadsAfterBytes { get; set; }

    /// <summary>When true, deletes fail (DeleteMany reports every key as failed).</summary>
    public bool FailDeletes { get; set; }

    public int UploadCount { get; private set; }

    public void Reset()
    {
        FailUploadsAfterBytes = null;
        FailDeletes = false;
        UploadCount = 0;
    }

    public Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        UploadCount++;
        return Inner.UploadAsync(key, Wrap(content), options, cancellationToken);
    }

    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
    {
        UploadCount++;
        return Inner.Upload(key, Wrap(content), options);
    }

    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null,
        CancellationToken cancellationToken = default) => Inner.OpenReadAsync(key, range, cancellationToken);

    public Stream OpenRead(string key, StorageRange? range = null) => Inner.OpenRead(key, range);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Inner.ExistsAsync(key, cancellationToken);

    public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default) => Inner.GetInfoAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
        => FailDeletes ? throw new StorageException($"injected delete failure for '{key}'") : Inner.DeleteAsync(key, cancellationToken);

    public Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
        => FailDeletes ? throw new StorageException($"injected delete failure for '{key}'") : Inner.DeleteAsync(key, options, cancellationToken);

    public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => FailDeletes ? Task.FromResult(AllFailed(keys)) : Inner.DeleteManyAsync(keys, cancellationToken);

    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys) => FailDeletes ? AllFailed(keys) : Inner.DeleteMany(keys);

    public override string ToString() => $"faulty wrapper of {Inner}";

    private static StorageDeleteResult AllFailed(IReadOnlyCollection<string> keys)
        => new([], keys.ToDictionary(k => k, _ => "injected delete failure"), requestCount: 1);

    private Stream Wrap(Stream content)
        => FailUploadsAfterBytes is { } after
            ? new Storage.CallbackStream(content, after, () => throw new IOException("injected failure: the storage connection dropped mid-upload"))
            : content;
}
