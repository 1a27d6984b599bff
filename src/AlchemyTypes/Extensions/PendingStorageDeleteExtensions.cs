using AlchemyTypes;
using AlchemyTypes.Maintenance.Internal;
using AlchemyTypes.Diagnostics.Internal;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Runs the storage deletes recorded in the <see cref="PendingStorageDelete"/> outbox.</summary>
public static class PendingStorageDeleteExtensions
{
    /// <summary>
    /// Deletes from storage every object recorded in the outbox and removes the rows of those that succeeded; failed ones
    /// stay with one more attempt and the error, for the next run. Each delete is conditional on the stored version recorded
    /// (its ETag), so a later object under the same key is never removed. Works in batches with memory for one batch and a
    /// constant number of SQL parameters per statement, in short transactions of its own (call it without an open
    /// transaction); several processes may run it at once (each claims its batch for a few minutes, and a delete done twice is
    /// harmless). Call it periodically (a timer or a background service): it finishes deletes that failed after a commit (a
    /// storage outage, a crash, an unknown commit outcome, a rollback to a savepoint).
    /// </summary>
    /// <param name="context">A context configured with AddAlchemyTypes storage.</param>
    /// <param name="batchSize">How many rows to claim and delete per round trip (1 to 1,000).</param>
    /// <param name="cancellationToken">Cancels between and during batches; claimed rows are taken over by a later run.</param>
    /// <returns>How many deletes succeeded and which failed.</returns>
    /// <exception cref="InvalidOperationException">The context has an open transaction.</exception>
    public static Task<PendingStorageDeleteReport> ProcessPendingStorageDeletesAsync(
        this DbContext context, int batchSize = 500, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 1000);
        return ProcessorOf(context).ProcessAsync(context, batchSize, cancellationToken);
    }

    /// <inheritdoc cref="ProcessPendingStorageDeletesAsync" />
    public static PendingStorageDeleteReport ProcessPendingStorageDeletes(this DbContext context, int batchSize = 500)
        => Task.Run(() => ProcessPendingStorageDeletesAsync(context, batchSize)).GetAwaiter().GetResult();

    /// <summary>
    /// Measures the outbox: how many deletes wait and how old the oldest is (two aggregate queries, no rows read), by the
    /// context's clock (<c>UseTimeProvider</c>). Also records the <c>alchemytypes.pending_deletes.backlog</c> and
    /// <c>alchemytypes.pending_deletes.oldest_age</c> gauges. The pending-delete health check calls it.
    /// </summary>
    /// <param name="context">A context whose model has FileObject or FileObjectList properties (and so the outbox table).</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The backlog.</returns>
    /// <exception cref="AlchemyTypesConfigurationException">The model has no outbox table (no file properties).</exception>
    public static async Task<PendingStorageDeleteBacklog> GetPendingStorageDeleteBacklogAsync(
        this DbContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Model.FindEntityType(typeof(PendingStorageDelete)) is null)
        {
            throw new AlchemyTypesConfigurationException($"{context.GetType().Name} has no {PendingStorageDelete.TableName} table: its model has "
                + "no FileObject or FileObjectList property, so it records no storage deletes. Measure the backlog on the context that has them.");
        }

        var set = context.Set<PendingStorageDelete>().AsNoTracking().Where(r => r.Id != MaintenanceLock.LeaseId); // not the maintenance lease
        var count = await set.LongCountAsync(cancellationToken).ConfigureAwait(false);
        var oldest = count == 0 ? null : await set.MinAsync(r => (DateTime?)r.EnqueuedAt, cancellationToken).ConfigureAwait(false);
        var oldestUtc = oldest is { } o ? DateTime.SpecifyKind(o, DateTimeKind.Utc) : (DateTime?)null;
        var backlog = new PendingStorageDeleteBacklog(count, oldestUtc, AlchemyTypesClock.UtcNow(context));
        StorageTelemetry.RecordBacklog(backlog.Count, backlog.OldestAge);
        return backlog;
    }

    private static RecordedDeleteProcessor ProcessorOf(DbContext context)
        => new(
            context.GetService<AlchemyTypesSingletonOptions>().StorageRegistry
                ?? throw new AlchemyTypesConfigurationException("This context has no storage configured: AddAlchemyTypes(a => "
                    + "a.AddStorage(\"files\", backend))."),
            context.GetService<ILoggerFactory>().CreateLogger("AlchemyTypes.FileObject"));
}
