namespace AlchemyTypes.Storage;

/// <summary>Conditions for one delete (see <see cref="IStorageBackend.DeleteAsync(string, StorageDeleteOptions, CancellationToken)"/>).</summary>
public sealed class StorageDeleteOptions
{
    /// <summary>
    /// Delete only the object whose ETag is this one (as <see cref="StoredObjectInfo.ETag"/> returned it when it was stored).
    /// A later object stored under the same key has another ETag and is left in place. Null deletes whatever the key holds.
    /// </summary>
    public string? IfMatchETag { get; init; }
}
