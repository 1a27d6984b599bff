using AlchemyTypes.Diagnostics.Internal;
using AlchemyTypes.Infrastructure.Internal;
using System.Linq.Expressions;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Runs recorded deletes: right after a commit (the rows of that commit), and in bulk from the outbox
/// (<c>ProcessPendingStorageDeletesAsync</c>). Every delete is conditional on the recorded ETag, so running one twice, or
/// after the key was reused, never removes a later object; a row without an ETag deletes only an object written before it
/// was recorded.
/// </summary>
internal sealed class RecordedDeleteProcessor(StorageRegistry registry, ILogger logger)
{
    /// <summary>How long a claimed outbox row is reserved for the run that claimed it (a crashed run's rows are taken over after it).</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(5);

    /// <summary>The most failures listed in a report (all are counted).</summary>
    public const int MaxListedFailures = 1000;

    private const int IdsPerStatement = 50;
    private const int ConcurrentDeletes = 16;

    /// <summary>Deletes the objects of rows that just committed; returns the ids of the rows whose object is gone. Never throws.</summary>
    public async Task<List<Guid>> DeleteCommittedAsync(IReadOnlyCollection<PendingStorageDelete> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        try
        {
            var (done, failed) = await DeleteAsync(rows, CancellationToken.None).ConfigureAwait(false);
            foreach (var (row, error) in failed)
            {
                logger.LogWarning(
                    "AlchemyTypes could not delete '{Key}' from storage backend '{Backend}' ({Error}); the delete stays recorded in {Table} "
                        + "for ProcessPendingStorageDeletes.",
                    row.Key, row.Backend, error, PendingStorageDelete.TableName);
            }

            return done;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "AlchemyTypes could not run {Count} deletes after a commit; they stay recorded in {Table} for "
                + "ProcessPendingStorageDeletes.", rows.Count, PendingStorageDelete.TableName);
            return [];
        }
    }

    /// <summary>Removes processed outbox rows by id, a constant number of parameters per statement. Never throws (they are removed later).</summary>
    public async Task ForgetRowsAsync(DbContext context, IReadOnlyList<Guid> ids, bool async)
    {
        try
        {
            // Plain DELETE … IN (…) rather than ExecuteDelete: MariaDB rejects the aliased DELETE MySql.EntityFrameworkCore writes.
            await PendingStorageDeleteRows.DeleteAsync(context, ids, async, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "AlchemyTypes could not remove {Count} processed rows from {Table}; ProcessPendingStorageDeletes removes "
                + "them later.", ids.Count, PendingStorageDelete.TableName);
        }
    }

    /// <summary>
    /// Processes the whole outbox in batches: claims a batch (one UPDATE, a claim token and a lease), deletes its objects,
    /// updates the failed rows in bulk and deletes the done ones by claim token. Memory is one batch; every statement has a
    /// constant number of parameters; several processes can run at once (a row claimed by another run is skipped until its
    /// lease ends, and a row processed twice is harmless).
    /// </summary>
    public async Task<PendingStorageDeleteReport> ProcessAsync(DbContext context, int batchSize, CancellationToken cancellationToken)
    {
        if (context.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException(
                "ProcessPendingStorageDeletesAsync runs its own short transactions and was called on a context with an open transaction. "
                + "Call it on a context (or at a time) without one.");
        }

        using var activity = StorageTelemetry.StartActivity(PendingDeleteTelemetry.ProcessSpan);
        try
        {
            var report = await ProcessBatchesAsync(context, batchSize, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(PendingDeleteTelemetry.DeletedAttribute, report.Deleted);
            activity?.SetTag(PendingDeleteTelemetry.FailedAttribute, report.Failed);
            return report;
        }
        catch (Exception ex)
        {
            StorageTelemetry.SetError(activity, ex);
            throw;
        }
    }

    private async Task<PendingStorageDeleteReport> ProcessBatchesAsync(DbContext context, int batchSize, CancellationToken cancellationToken)
    {
        var set = context.Set<PendingStorageDelete>();
        var started = AlchemyTypesClock.UtcNow(context);
        var deleted = 0;
        var failedCount = 0;
        var failures = new List<PendingStorageDeleteFailure>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var token = Guid.NewGuid();
            var until = AlchemyTypesClock.UtcNow(context) + ClaimLease;
            var claimed = MySqlFamily.Is(context)
                ? await PendingStorageDeleteRows.ClaimMySqlAsync(context, token, until, started, batchSize, cancellationToken).ConfigureAwait(false)
                : await set
                    .Where(r => r.ClaimedUntil == null || r.ClaimedUntil < started)
                    .Where(r => r.Id != Maintenance.Internal.MaintenanceLock.LeaseId) // the maintenance lease is not a delete
                    .OrderBy(r => r.Id)
                    .Take(batchSize)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimToken, token).SetProperty(r => r.ClaimedUntil, until), cancellationToken)
                    .ConfigureAwait(false);
            if (claimed == 0)
            {
                return new PendingStorageDeleteReport(deleted, failedCount, failures);
            }

            var batch = await set.AsNoTracking().Where(r => r.ClaimToken == token).ToListAsync(cancellationToken).ConfigureAwait(false);
            var (done, failed) = await DeleteAsync(batch, cancellationToken).ConfigureAwait(false);
            foreach (var chunk in failed.Chunk(IdsPerStatement))
            {
                // One statement per chunk, each row with its own error (a CASE over the chunk's ids); released with the start
                // of this run as their claim time: the next run retries them, this one does not.
                var (idIn, errorOf) = SlotsFor(
                    [.. chunk.Select(f => f.Row.Id)],
                    [.. chunk.Select(f => f.Error.Length > 2000 ? f.Error[..2000] : f.Error)]);
                await set.Where(idIn).Where(r => r.ClaimToken == token)
                    .ExecuteUpdateAsync(
                        s => s.SetProperty(r => r.Attempts, r => r.Attempts + 1)
                            .SetProperty(r => r.LastError, errorOf)
                            .SetProperty(r => r.ClaimToken, (Guid?)null)
                            .SetProperty(r => r.ClaimedUntil, started),
                        cancellationToken)
                    .ConfigureAwait(false);
            }

            failedCount += failed.Count;
            failures.AddRange(failed.Take(MaxListedFailures - failures.Count).Select(f => new PendingStorageDeleteFailure(f.Row.Backend, f.Row.Key, f.Error)));
            if (done.Count > 0)
            {
                // The rows still claimed by this run are the done ones (a row another run took over after the lease is its own).
                deleted += await PendingStorageDeleteRows.DeleteClaimedAsync(context, token, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes the objects of <paramref name="rows"/>, conditionally on their ETag; returns done row ids and failures.</summary>
    internal async Task<(List<Guid> Done, List<(PendingStorageDelete Row, string Error)> Failed)> DeleteAsync(
        IReadOnlyCollection<PendingStorageDelete> rows, CancellationToken cancellationToken)
    {
        using var activity = StorageTelemetry.StartActivity(PendingDeleteTelemetry.BatchSpan);
        activity?.SetTag(PendingDeleteTelemetry.BatchSizeAttribute, rows.Count);
        try
        {
            var (done, failed) = await DeleteBatchAsync(rows, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(PendingDeleteTelemetry.DeletedAttribute, done.Count);
            activity?.SetTag(PendingDeleteTelemetry.FailedAttribute, failed.Count);
            return (done, failed);
        }
        catch (Exception ex)
        {
            StorageTelemetry.SetError(activity, ex);
            throw;
        }
    }

    private async Task<(List<Guid> Done, List<(PendingStorageDelete Row, string Error)> Failed)> DeleteBatchAsync(
        IReadOnlyCollection<PendingStorageDelete> rows, CancellationToken cancellationToken)
    {
        var done = new List<Guid>();
        var failed = new List<(PendingStorageDelete, string)>();
        foreach (var group in rows.GroupBy(r => r.Backend, StringComparer.Ordinal))
        {
            var (doneBefore, failedBefore) = (done.Count, failed.Count);
            await DeleteGroupAsync(group.Key, [.. group], done, failed, cancellationToken).ConfigureAwait(false);
            StorageTelemetry.RecordProcessed(group.Key, done.Count - doneBefore, failed.Count - failedBefore);
        }

        return (done, failed);
    }

    private async Task DeleteGroupAsync(
        string backend, List<PendingStorageDelete> group, List<Guid> done, List<(PendingStorageDelete, string)> failed, CancellationToken cancellationToken)
    {
        if (!registry.TryGet(backend, out var storage))
        {
            failed.AddRange(group.Select(r => (r, $"The storage backend '{backend}' is not registered on this context.")));
            return;
        }

        // Without a recorded version (a row written by an older version or by Advanced Alchemy, a direct upload's staging
        // object): only a version that existed when the delete was recorded is deleted, conditionally on the ETag read now.
        // An object written under the key after that (a re-upload under a reused key) is kept.
        var unversioned = group.Where(r => r.ETag is null).ToList();
        var unversionedOutcomes = new (bool Done, string? Error)[unversioned.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, unversioned.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentDeletes, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    await DeleteUnversionedAsync(backend, storage, unversioned[i], token).ConfigureAwait(false);
                    unversionedOutcomes[i] = (true, null);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    unversionedOutcomes[i] = (false, ex.Message);
                }
            }).ConfigureAwait(false);
        for (var i = 0; i < unversioned.Count; i++)
        {
            if (unversionedOutcomes[i].Done)
            {
                done.Add(unversioned[i].Id);
            }
            else
            {
                failed.Add((unversioned[i], unversionedOutcomes[i].Error ?? "not attempted"));
            }
        }

        // With a recorded version: one conditional delete each, a few at a time.
        var versioned = group.Where(r => r.ETag is not null).ToList();
        var outcomes = new (bool Done, string? Error)[versioned.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, versioned.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentDeletes, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    var condition = new StorageDeleteOptions { IfMatchETag = versioned[i].ETag };
                    await TracedStorage.DeleteAsync(backend, storage, versioned[i].Key, condition, token).ConfigureAwait(false);
                    outcomes[i] = (true, null);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    outcomes[i] = (false, ex.Message);
                }
            }).ConfigureAwait(false);
        for (var i = 0; i < versioned.Count; i++)
        {
            if (outcomes[i].Done)
            {
                done.Add(versioned[i].Id);
            }
            else
            {
                failed.Add((versioned[i], outcomes[i].Error ?? "not attempted"));
            }
        }
    }

    /// <summary>
    /// Deletes the object of a row that recorded no ETag only if it was last written before the delete was recorded (the
    /// version the row referenced, or older), conditionally on the ETag the backend reports now; a later object under the key,
    /// or one whose write time the backend does not report, is kept (reconciliation removes it if no row references it).
    /// </summary>
    private async Task DeleteUnversionedAsync(string backend, IStorageBackend storage, PendingStorageDelete row, CancellationToken cancellationToken)
    {
        StoredObjectInfo info;
        try
        {
            info = await storage.GetInfoAsync(row.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageObjectNotFoundException)
        {
            return; // gone already
        }

        var recordedAt = new DateTimeOffset(DateTime.SpecifyKind(row.EnqueuedAt, DateTimeKind.Utc));
        if (info.LastModified is not { } modified || modified >= recordedAt)
        {
            logger.LogInformation(
                "AlchemyTypes kept '{Key}' in storage backend '{Backend}': its delete was recorded without an ETag at {RecordedAt} and the "
                    + "object there now was written at {Modified}, so it may be a later upload under the same key.",
                row.Key, backend, recordedAt, info.LastModified);
            return;
        }

        var condition = new StorageDeleteOptions { IfMatchETag = info.ETag };
        await TracedStorage.DeleteAsync(backend, storage, row.Key, condition, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The slots of a chunk: the id filter, and <c>r => r.Id == ids[0] ? errors[0] : r.Id == ids[1] ? errors[1] : ...</c>
    /// (a CASE) giving each row its own error.
    /// </summary>
    private static (Expression<Func<PendingStorageDelete, bool>> IdIn, Expression<Func<PendingStorageDelete, string?>> ErrorOf) SlotsFor(
        Guid[] ids, string?[]? errors)
    {
        var slots = new IdSlots(new Guid[IdsPerStatement], new string?[IdsPerStatement]);
        Array.Fill(slots.Ids, ids[0]);
        ids.CopyTo(slots.Ids, 0);
        if (errors is not null)
        {
            Array.Fill(slots.Errors, errors[0]);
            errors.CopyTo(slots.Errors, 0);
        }

        var row = Expression.Parameter(typeof(PendingStorageDelete), "r");
        var id = Expression.Property(row, nameof(PendingStorageDelete.Id));
        var idArray = Expression.Field(Expression.Constant(slots), nameof(IdSlots.Ids));
        var errorArray = Expression.Field(Expression.Constant(slots), nameof(IdSlots.Errors));
        Expression? filter = null;
        Expression error = Expression.Constant(null, typeof(string));
        for (var i = IdsPerStatement - 1; i >= 0; i--)
        {
            var equal = Expression.Equal(id, Expression.ArrayIndex(idArray, Expression.Constant(i)));
            filter = filter is null ? equal : Expression.OrElse(equal, filter);
            if (errors is not null && i < ids.Length)
            {
                error = Expression.Condition(equal, Expression.ArrayIndex(errorArray, Expression.Constant(i)), error);
            }
        }

        return (Expression.Lambda<Func<PendingStorageDelete, bool>>(filter!, row), Expression.Lambda<Func<PendingStorageDelete, string?>>(error, row));
    }

    private sealed class IdSlots(Guid[] ids, string?[] errors)
    {
#pragma warning disable SA1401, CA1051 // fields, so EF Core turns each element into a parameter
        public readonly Guid[] Ids = ids;

        public readonly string?[] Errors = errors;
#pragma warning restore SA1401, CA1051
    }
}
