using System.Collections;
using System.Data;
using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// Deletes the rows of a query in one statement and records their files in the outbox in the same transaction: reads the
/// files of the matching rows (and of their owned entities), records them, runs <c>ExecuteDelete</c>, commits, then deletes
/// the objects. Under SERIALIZABLE (PostgreSQL) or SQLite's single writer, no row can join or leave the match in between.
/// </summary>
internal static class BulkDeleter
{
    public static async Task<int> RunAsync<TEntity>(DbContext context, IQueryable<TEntity> query, CancellationToken cancellationToken)
        where TEntity : class
    {
        var registry = MaintenanceRegistry.Of(context);
        var own = context.Database.CurrentTransaction is null
            ? await context.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false)
            : null;
        List<PendingStorageDelete> recorded;
        int count;
        try
        {
            if (own is null)
            {
                // The caller's transaction may be READ COMMITTED: lock the matching rows before reading their files.
                await BulkDeleteRowLock.LockAsync(context, query, cancellationToken).ConfigureAwait(false);
            }

            var files = new List<(string Backend, string Key, string? ETag)>();
            await foreach (var entity in query.AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Collect(context.Model, entity, files, registry.DefaultName);
            }

            recorded = await DeleteRecorder.RecordAsync(context, files, cancellationToken).ConfigureAwait(false);
            count = await query.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (own is null)
        {
            // The caller's transaction decides: the deletes stay recorded and run at the next ProcessPendingStorageDeletes after it commits.
            return count;
        }

        var (_, failures) = await DeleteRecorder.ProcessAsync(context, registry, recorded, CancellationToken.None).ConfigureAwait(false);
        if (failures.Count > 0)
        {
            context.GetService<ILoggerFactory>().CreateLogger("AlchemyTypes.Maintenance").LogWarning(
                "AlchemyTypes could not delete {Count} objects of rows deleted in bulk; the deletes stay recorded in {Table} for ProcessPendingStorageDeletes.",
                failures.Count, PendingStorageDelete.TableName);
        }

        return count;
    }

    /// <summary>
    /// The stored files of an entity instance (backend, key and the ETag its row recorded, so only that version is deleted):
    /// its FileObject properties, those of its complex types and owned entities.
    /// </summary>
    public static void Collect(IModel model, object entity, List<(string Backend, string Key, string? ETag)> files, string defaultBackend)
    {
        var entityType = model.FindEntityType(entity.GetType()) ?? model.GetEntityTypes().FirstOrDefault(t => t.ClrType == entity.GetType());
        if (entityType is null)
        {
            return;
        }

        foreach (var property in entityType.GetFlattenedProperties())
        {
            if (property.ClrType != typeof(FileObject) && property.ClrType != typeof(FileObjectList))
            {
                continue;
            }

            if (property.DeclaringType is IComplexType { ComplexProperty.IsCollection: true })
            {
                continue; // elements of complex collections have no single path from the entity
            }

            var backend = property.FindAnnotation(AlchemyTypesAnnotationNames.FileBackend)?.Value as string ?? defaultBackend;
            var value = property.GetGetter().GetClrValueUsingContainingEntity(entity);
            foreach (var file in value switch { FileObject f => [f], FileObjectList l => l, _ => (IEnumerable<FileObject>)[] })
            {
                if (file.IsStored)
                {
                    files.Add((file.Backend ?? backend, file.Key, file.ETag));
                }
            }
        }

        foreach (var navigation in entityType.GetNavigations().Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent))
        {
            switch (navigation.GetGetter().GetClrValueUsingContainingEntity(entity))
            {
                case null:
                    break;
                case IEnumerable children when navigation.IsCollection:
                    foreach (var child in children)
                    {
                        Collect(model, child, files, defaultBackend);
                    }

                    break;
                case { } child:
                    Collect(model, child, files, defaultBackend);
                    break;
            }
        }
    }
}
