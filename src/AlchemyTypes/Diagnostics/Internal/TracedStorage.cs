using AlchemyTypes.Storage;

namespace AlchemyTypes.Diagnostics.Internal;

/// <summary>
/// The storage requests the library's lifecycle and maintenance code makes, each traced and measured as a
/// <see cref="StorageOperation"/>: one place, whatever the backend, so the local, in-memory, S3 and Azure backends (and any
/// other implementation of <see cref="IStorageBackend"/>) are covered alike.
/// </summary>
internal static class TracedStorage
{
    public static async Task<StorageDeleteResult> DeleteManyAsync(
        string backend, IStorageBackend storage, IReadOnlyCollection<string> keys, bool async, CancellationToken cancellationToken)
    {
        using var operation = StorageOperation.Start(StorageTelemetry.DeleteMany, backend, storage);
        operation?.SetKeyCount(keys.Count);
        try
        {
            return async ? await storage.DeleteManyAsync(keys, cancellationToken).ConfigureAwait(false) : storage.DeleteMany(keys);
        }
        catch (Exception ex) when (StorageOperation.Fail(operation, ex))
        {
            throw;
        }
    }

    public static async Task<bool> DeleteAsync(
        string backend, IStorageBackend storage, string key, StorageDeleteOptions options, CancellationToken cancellationToken)
    {
        using var operation = StorageOperation.Start(StorageTelemetry.Delete, backend, storage);
        try
        {
            return await storage.DeleteAsync(key, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageOperation.Fail(operation, ex))
        {
            throw;
        }
    }

    public static async Task<Stream> OpenReadAsync(string backend, IStorageBackend storage, string key, CancellationToken cancellationToken)
    {
        using var operation = StorageOperation.Start(StorageTelemetry.Download, backend, storage);
        try
        {
            var stream = await storage.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            if (operation is not null && stream.CanSeek)
            {
                operation.SetBytes(stream.Length);
            }

            return stream;
        }
        catch (Exception ex) when (StorageOperation.Fail(operation, ex))
        {
            throw;
        }
    }
}
