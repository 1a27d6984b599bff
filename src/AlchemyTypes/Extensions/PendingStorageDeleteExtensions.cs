using AlchemyTypes;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore.Infrastructure;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Infrastructure.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Retries the storage deletes recorded in the <see cref="PendingStorageDelete"/> outbox.</summary>
public static class PendingStorageDeleteExtensions
{
    /// <summary>
    /// Deletes from storage every object recorded in the outbox and removes the rows of those that succeeded; failed ones
    /// stay with one more attempt and the error. Idempotent (a missing object counts as deleted) and safe to run from a
    /// timer or a background service, concurrently with normal saves. Call it periodically: it is how deletes that failed
    /// after a commit (a storage outage, a crash) are finished.
    /// </summary>
    /// <param name="context">A context configured with AddAlchemyTypes storage.</param>
    /// <param name="batchSize">How many rows to load and delete per round trip (1 to 1,000).</param>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <returns>How many deletes succeeded and which failed.</returns>
    public static async Task<PendingStorageDeleteReport> ProcessPendingStorageDeletesAsync(this DbContext context, int batchSize = 500, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 1000);
        var registry = RegistryOf(context);
        var set = context.Set<PendingStorageDelete>();
        var seen = new List<Guid>();
        var deleted = 0;
        var failures = new List<PendingStorageDeleteFailure>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await set.AsNoTracking().Where(r => !seen.Contains(r.Id)).OrderBy(r => r.EnqueuedAt).Take(batchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return new PendingStorageDeleteReport(deleted, failures);
            }

            seen.AddRange(batch.Select(r => r.Id));
            var (done, failed) = await DeleteAsync(registry, batch, cancellationToken).ConfigureAwait(false);
            if (done.Count > 0)
            {
                await PendingStorageDeleteRows.DeleteAsync(context, done, async: true, cancellationToken).ConfigureAwait(false);
                deleted += done.Count;
            }

            foreach (var (row, error) in failed)
            {
                var message = error.Length > 2000 ? error[..2000] : error;
                await set.Where(r => r.Id == row.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Attempts, r => r.Attempts + 1).SetProperty(r => r.LastError, message), cancellationToken)
                    .ConfigureAwait(false);
                failures.Add(new PendingStorageDeleteFailure(row.Backend, row.Key, error));
            }
        }
    }

    /// <inheritdoc cref="ProcessPendingStorageDeletesAsync" />
    public static PendingStorageDeleteReport ProcessPendingStorageDeletes(this DbContext context, int batchSize = 500)
        => Task.Run(() => ProcessPendingStorageDeletesAsync(context, batchSize)).GetAwaiter().GetResult();

    private static StorageRegistry RegistryOf(DbContext context)
        => context.GetService<AlchemyTypesSingletonOptions>().StorageRegistry
            ?? throw new AlchemyTypesConfigurationException("This context has no storage configured: AddAlchemyTypes(a => a.AddStorage(\"files\", backend)).");

    private static async Task<(List<Guid> Done, List<(PendingStorageDelete Row, string Error)> Failed)> DeleteAsync(
        StorageRegistry registry, List<PendingStorageDelete> rows, CancellationToken cancellationToken)
    {
        var done = new List<Guid>();
        var failed = new List<(PendingStorageDelete, string)>();
        foreach (var group in rows.GroupBy(r => r.Backend, StringComparer.Ordinal))
        {
            if (!registry.TryGet(group.Key, out var storage))
            {
                failed.AddRange(group.Select(r => (r, $"The storage backend '{group.Key}' is not registered on this context.")));
                continue;
            }

            try
            {
                var result = await storage.DeleteManyAsync(group.Select(r => r.Key).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
                foreach (var row in group)
                {
                    if (result.Failed.TryGetValue(row.Key, out var error))
                    {
                        failed.Add((row, error));
                    }
                    else
                    {
                        done.Add(row.Id);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.AddRange(group.Select(r => (r, ex.Message)));
            }
        }

        return (done, failed);
    }
}
