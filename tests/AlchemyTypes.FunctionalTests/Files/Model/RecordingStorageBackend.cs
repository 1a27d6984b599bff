using System.Collections.Concurrent;
using AlchemyTypes.Storage;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// Passes everything to a real backend and records every key an upload was started for, so that the test can ask the
/// real store which of those objects exist (the storage contract has no listing). Applies the armed upload/delete faults
/// through <see cref="FaultyStorageBackend"/> and cancels the caller's token at the first upload when that is armed.
/// </summary>
public sealed class RecordingStorageBackend(FaultyStorageBackend faulty, ModelFaults faults) : IStorageBackend
{
    private readonly ConcurrentQueue<string> _uploads = new();

    /// <summary>The real store, without faults.</summary>
    public IStorageBackend Real => faulty.Inner;

    /// <summary>Every key an upload was started for, in order (with repeats).</summary>
    public IReadOnlyCollection<string> UploadedKeys => _uploads;

    public int UploadCount => _uploads.Count;

    public void Clear() => _uploads.Clear();

    public Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        _uploads.Enqueue(key);
        Apply();
        return faulty.UploadAsync(key, content, options, cancellationToken);
    }

    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
    {
        _uploads.Enqueue(key);
        Apply();
        return faulty.Upload(key, content, options);
    }

    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
        => faulty.OpenReadAsync(key, range, cancellationToken);

    public Stream OpenRead(string key, StorageRange? range = null) => faulty.OpenRead(key, range);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => faulty.ExistsAsync(key, cancellationToken);

    public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default) => faulty.GetInfoAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => faulty.DeleteAsync(key, cancellationToken);

    public Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
        => faulty.DeleteAsync(key, options, cancellationToken);

    public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => faulty.DeleteManyAsync(keys, cancellationToken);

    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys) => faulty.DeleteMany(keys);

    /// <summary>Listing (for reconcile) goes to the real store, without faults.</summary>
    public bool CanList => faulty.Inner.CanList;

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(StorageListOptions? options = null, CancellationToken cancellationToken = default)
        => faulty.Inner.ListAsync(options, cancellationToken);

    public override string ToString() => $"recording wrapper of {faulty.Inner}";

    private void Apply()
    {
        faults.Take(Fault.CancelAtUpload);
        if (faults.Armed == Fault.UploadFails)
        {
            faults.Take(Fault.UploadFails);
        }
    }
}
