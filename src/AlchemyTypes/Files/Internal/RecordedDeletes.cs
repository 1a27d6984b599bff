using AlchemyTypes.Infrastructure.Internal;
using AlchemyTypes.Keys;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Records a storage delete in the <see cref="PendingStorageDelete"/> outbox, to commit with the caller's next
/// <c>SaveChanges</c>: the object is deleted after that save commits (or by <c>ProcessPendingStorageDeletesAsync</c> if the
/// immediate delete fails), and never if the save rolls back. The one way, inside the library, to delete a stored object
/// that rows may reference.
/// </summary>
internal static class RecordedDeletes
{
    /// <summary>Adds an outbox row for one stored version of an object to <paramref name="context"/> (saved by its next SaveChanges).</summary>
    /// <param name="context">A context with AlchemyTypes storage.</param>
    /// <param name="backend">The storage backend name.</param>
    /// <param name="key">The object key.</param>
    /// <param name="etag">The stored version's ETag: only that version is deleted. Null deletes whatever the key holds then.</param>
    /// <returns>The row, tracked as Added.</returns>
    public static PendingStorageDelete Record(DbContext context, string backend, string key, string? etag)
    {
        ArgumentNullException.ThrowIfNull(context);
        var row = new PendingStorageDelete
        {
            Id = UuidV7ValueGenerator.NewGuid(context.Database.ProviderName),
            Backend = backend,
            Key = key,
            ETag = etag,
            EnqueuedAt = AlchemyTypesClock.UtcNow(context),
        };
        context.Set<PendingStorageDelete>().Add(row);
        return row;
    }
}
