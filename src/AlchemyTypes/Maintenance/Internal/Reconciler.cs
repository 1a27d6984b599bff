using AlchemyTypes.Diagnostics.Internal;
using AlchemyTypes.Infrastructure.Internal;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// Compares what each backend holds with what committed rows reference, by sort-merge: the references of every row (read
/// in one snapshot) and each backend's listing are sorted by key with <see cref="ExternalSorter{T}"/> (bounded memory, spilled
/// to temporary files), then walked side by side. Sorting the listing too means no backend's listing order is trusted.
/// </summary>
internal sealed class Reconciler(DbContext context, FileReconcileOptions options, IProgress<FileMaintenanceProgress>? progress)
{
    private const string Operation = "reconcile";

    private static readonly IComparer<FileReference> ReferenceOrder = Comparer<FileReference>.Create((a, b) =>
    {
        var byBackend = string.CompareOrdinal(a.Backend, b.Backend);
        return byBackend != 0 ? byBackend : StorageKey.Order.Compare(a.Key, b.Key);
    });

    private static readonly IComparer<StoredObjectInfo> ListedOrder = Comparer<StoredObjectInfo>.Create((a, b) => StorageKey.Order.Compare(a.Key, b.Key));

    private readonly ILogger _logger = context.GetService<ILoggerFactory>().CreateLogger("AlchemyTypes.Maintenance");

    public async Task<FileReconcileReport> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        using var activity = StorageTelemetry.StartActivity(PendingDeleteTelemetry.ReconcileSpan);
        activity?.SetTag(PendingDeleteTelemetry.DryRunAttribute, options.DryRun);
        try
        {
            var report = await RunCoreAsync(cancellationToken).ConfigureAwait(false);
            activity?.SetTag(PendingDeleteTelemetry.ObjectsListedAttribute, report.ObjectsListed);
            activity?.SetTag(PendingDeleteTelemetry.OrphansFoundAttribute, report.OrphansFound);
            activity?.SetTag(PendingDeleteTelemetry.OrphansDeletedAttribute, report.OrphansDeleted);
            activity?.SetTag(PendingDeleteTelemetry.MissingAttribute, report.MissingCount);
            return report;
        }
        catch (Exception ex)
        {
            StorageTelemetry.SetError(activity, ex);
            throw;
        }
    }

    private async Task<FileReconcileReport> RunCoreAsync(CancellationToken cancellationToken)
    {
        var registry = MaintenanceRegistry.Of(context);
        var names = (options.Backends ?? registry.Names).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var backends = names.Select(n => (Name: n, Storage: registry.Get(n))).ToList();
        foreach (var (name, storage) in backends)
        {
            if (!storage.CanList)
            {
                throw new StorageCapabilityException(
                    $"The storage backend '{name}' ({storage}) cannot list its objects, so it cannot be reconciled. Implement "
                        + $"IStorageBackend.CanList and ListAsync "
                    + "in the backend, or leave it out with FileReconcileOptions.Backends.");
            }
        }

        var inScope = names.ToHashSet(StringComparer.Ordinal);
        var now = (options.TimeProvider ?? TimeProvider.System).GetUtcNow();
        var cutoff = now - options.GracePeriod;
        var missing = new List<MissingFile>();
        var orphans = new List<OrphanedObject>();
        long rows = 0, references = 0, listedTotal = 0, recorded = 0, young = 0, missingCount = 0;
        var tally = new OrphanTally(orphans);
        var recordedRows = new List<PendingStorageDelete>();

        using var referenceSorter = new ExternalSorter<FileReference>(ReferenceOrder, WriteReference, ReadReference, options.SortBufferSize);
        await foreach (var reference in FileReferenceReader.ReadAllAsync(
            context, registry, options.BatchSize, r => { rows = r; progress?.Report(new(Operation, "reading "
                + "rows", r, null)); }, cancellationToken).ConfigureAwait(false))
        {
            if (inScope.Contains(reference.Backend))
            {
                referenceSorter.Add(reference);
            }
            else if (!registry.TryGet(reference.Backend, out _))
            {
                missingCount++;
                AddCapped(missing, new MissingFile(reference.Entity, reference.Table, reference.Column, reference.RowId, reference.Backend,
                    reference.Key, "the row names a storage backend that is not registered"));
            }
        }

        references = referenceSorter.Count;
        _logger.LogInformation("AlchemyTypes reconcile read {Rows} rows with {References} file references in the reconciled backends.", rows, references);

        using var referencesInOrder = referenceSorter.Sorted().GetEnumerator();
        var hasReference = referencesInOrder.MoveNext();
        var candidates = new List<(string Backend, IStorageBackend Storage, StoredObjectInfo Item)>();
        foreach (var (name, storage) in backends)
        {
            using var listedSorter = new ExternalSorter<StoredObjectInfo>(ListedOrder, WriteListed, ReadListed, options.SortBufferSize);
            await foreach (var item in storage.ListAsync(new StorageListOptions { PageSize = 1000 }, cancellationToken).ConfigureAwait(false))
            {
                listedSorter.Add(item);
                if (listedSorter.Count % 10_000 == 0)
                {
                    progress?.Report(new(Operation, "listing", listedSorter.Count, name));
                }
            }

            listedTotal += listedSorter.Count;
            _logger.LogInformation("AlchemyTypes reconcile listed {Count} objects in storage backend '{Backend}'.", listedSorter.Count, name);

            // Skip references of backends before this one (none: every reference in the sorter is in scope, in name order).
            while (hasReference && string.CompareOrdinal(referencesInOrder.Current.Backend, name) < 0)
            {
                hasReference = referencesInOrder.MoveNext();
            }

            long compared = 0;
            using var listed = listedSorter.Sorted().GetEnumerator();
            var hasListed = listed.MoveNext();
            while (hasListed || (hasReference && referencesInOrder.Current.Backend == name))
            {
                var referenceHere = hasReference && referencesInOrder.Current.Backend == name;
                var order = !hasListed ? 1 : !referenceHere ? -1 : StorageKey.Order.Compare(listed.Current.Key, referencesInOrder.Current.Key);
                if (order < 0)
                {
                    // Stored, referenced by no row.
                    var item = listed.Current;
                    if (item.LastModified is { } modified && modified <= cutoff)
                    {
                        candidates.Add((name, storage, item));
                        if (candidates.Count >= options.BatchSize)
                        {
                            recorded += await FlushAsync(candidates, recordedRows, tally, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        young++;
                    }

                    hasListed = listed.MoveNext();
                }
                else if (order > 0)
                {
                    // Referenced, not listed: confirm (the listing is not a snapshot) before reporting it lost.
                    var reference = referencesInOrder.Current;
                    if (!await storage.ExistsAsync(reference.Key, cancellationToken).ConfigureAwait(false))
                    {
                        missingCount++;
                        AddCapped(missing, new MissingFile(reference.Entity, reference.Table, reference.Column, reference.RowId, name,
                            reference.Key, "the backend holds no object with this key"));
                        _logger.LogWarning(
                            "AlchemyTypes reconcile: {Table} row {RowId} ({Column}) references '{Key}', which storage backend '{Backend}' does not hold.",
                            reference.Table, reference.RowId, reference.Column, reference.Key, name);
                    }

                    hasReference = referencesInOrder.MoveNext();
                }
                else
                {
                    // Referenced and stored: advance past every row that references this key.
                    var key = listed.Current.Key;
                    hasListed = listed.MoveNext();
                    while (hasReference && referencesInOrder.Current.Backend == name && referencesInOrder.Current.Key == key)
                    {
                        hasReference = referencesInOrder.MoveNext();
                    }
                }

                if (++compared % 10_000 == 0)
                {
                    progress?.Report(new(Operation, "comparing", compared, name));
                }
            }
        }

        recorded += await FlushAsync(candidates, recordedRows, tally, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        young += tally.Held;
        var orphansFound = tally.Found;
        if (!options.DryRun)
        {
            // Holds that ended by the start of this run have done their work: their objects were deleted above if no row
            // referenced them, and are the rows' business if one does.
            foreach (var name in names)
            {
                await DeleteRecorder.RemoveEndedHoldsAsync(context, name, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
            }
        }

        var deleted = 0;
        var failures = new List<PendingStorageDeleteFailure>();
        if (recordedRows.Count > 0)
        {
            progress?.Report(new(Operation, "deleting", 0, null));
            (deleted, failures) = await DeleteRecorder.ProcessAsync(context, registry, recordedRows, cancellationToken).ConfigureAwait(false);
        }

        _logger.LogInformation(
            "AlchemyTypes reconcile{DryRun}: {Rows} rows, {References} references, {Listed} objects; {Orphans} orphans ({Recorded} recorded, "
                + "{Deleted} deleted, {Failed} failed), "
            + "{Young} unreferenced objects younger than the grace period kept, {Missing} missing files.",
            options.DryRun ? " (dry run)" : "", rows, references, listedTotal, orphansFound, recorded, deleted, failures.Count, young, missingCount);
        return new FileReconcileReport
        {
            DryRun = options.DryRun,
            RowsScanned = rows,
            References = references,
            ObjectsListed = listedTotal,
            OrphansFound = orphansFound,
            OrphansRecorded = recorded,
            OrphansDeleted = deleted,
            YoungObjectsKept = young,
            MissingCount = missingCount,
            Orphans = orphans,
            Missing = missing,
            DeleteFailures = failures,
        };
    }

    /// <summary>
    /// Turns a batch of unreferenced old objects into orphans, except those a move holds (an old object kept for writers
    /// that loaded its row before the move), and records the deletes of the listed versions unless this is a dry run.
    /// </summary>
    private async Task<int> FlushAsync(
        List<(string Backend, IStorageBackend Storage, StoredObjectInfo Item)> candidates, List<PendingStorageDelete> recordedRows,
            OrphanTally tally, DateTime now, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return 0;
        }

        var pending = new List<(string Backend, string Key, string? ETag)>();
        foreach (var group in candidates.GroupBy(c => c.Backend, StringComparer.Ordinal))
        {
            var held = await DeleteRecorder.RecordedKeysAsync(context, group.Key, group.Select(c => c.Item.Key), now, cancellationToken)
                .ConfigureAwait(false);
            foreach (var (name, storage, item) in group)
            {
                if (held.Contains(item.Key))
                {
                    tally.Held++;
                    continue;
                }

                tally.Found++;
                AddCapped(tally.Orphans, new OrphanedObject(name, item.Key, item.Size, item.LastModified));
                if (!options.DryRun && await VersionToDeleteAsync(storage, item, cancellationToken).ConfigureAwait(false) is (true, var etag))
                {
                    // Only the listed version is deleted: an object written under the key since the listing is kept.
                    pending.Add((name, item.Key, etag));
                }
            }
        }

        candidates.Clear();
        if (pending.Count == 0)
        {
            return 0;
        }

        // Each batch commits on its own: a crash later loses nothing, the outbox finishes the deletes.
        var rows = await DeleteRecorder.RecordAsync(context, pending, cancellationToken).ConfigureAwait(false);
        var count = pending.Count;
        if (recordedRows.Count < 100_000)
        {
            recordedRows.AddRange(rows);
        }
        else
        {
            // Past this many, bounded memory wins: the rest are deleted by the outbox processing that follows.
            await context.ProcessPendingStorageDeletesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            recordedRows.Clear();
        }

        progress?.Report(new(Operation, "recording deletes", count, null));
        return count;
    }

    /// <summary>
    /// The ETag of the listed version of an orphan, for a conditional delete. A backend that lists no ETag (local disk) is
    /// asked for it; if the object changed since the listing (size or last-modified differ) or is gone, it is not deleted.
    /// An object the backend keeps no ETag for (a file put in the folder by hand) is deleted unconditionally.
    /// </summary>
    private static async Task<(bool Delete, string? ETag)> VersionToDeleteAsync(
        IStorageBackend storage, StoredObjectInfo item, CancellationToken cancellationToken)
    {
        if (item.ETag is not null)
        {
            return (true, item.ETag);
        }

        try
        {
            var info = await storage.GetInfoAsync(item.Key, cancellationToken).ConfigureAwait(false);
            return (info.Size == item.Size && info.LastModified == item.LastModified, info.ETag);
        }
        catch (StorageObjectNotFoundException)
        {
            return (false, null);
        }
    }

    private void AddCapped<T>(List<T> list, T item)
    {
        if (list.Count < options.MaxReportedItems)
        {
            list.Add(item);
        }
    }

    private static void WriteReference(BinaryWriter writer, FileReference r)
    {
        writer.Write(r.Backend);
        writer.Write(r.Key);
        writer.Write(r.Entity);
        writer.Write(r.Table);
        writer.Write(r.Column);
        writer.Write(r.RowId);
    }

    private static FileReference ReadReference(BinaryReader reader)
        => new(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), null, null);

    private static void WriteListed(BinaryWriter writer, StoredObjectInfo item)
    {
        writer.Write(item.Key);
        writer.Write(item.Size);
        writer.Write(item.LastModified?.UtcTicks ?? -1);
        writer.Write(item.ETag ?? "");
    }

    private static StoredObjectInfo ReadListed(BinaryReader reader)
    {
        var key = reader.ReadString();
        var size = reader.ReadInt64();
        var ticks = reader.ReadInt64();
        var etag = reader.ReadString();
        return new StoredObjectInfo
        {
            Key = key, Size = size, LastModified = ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero), ETag = etag.Length == 0 ? null : etag,
        };
    }
}

/// <summary>The storage registry of a context, with a clear error when it has none.</summary>
internal static class MaintenanceRegistry
{
    public static StorageRegistry Of(DbContext context)
        => context.GetService<AlchemyTypesSingletonOptions>().StorageRegistry
            ?? throw new AlchemyTypesConfigurationException("This context has no storage configured: AddAlchemyTypes(a => a.AddStorage(\"files\", backend)).");
}

/// <summary>The orphans of one reconcile run, and the unreferenced old objects kept because a move holds them.</summary>
internal sealed class OrphanTally(List<OrphanedObject> orphans)
{
    public List<OrphanedObject> Orphans { get; } = orphans;

    public long Found { get; set; }

    public long Held { get; set; }
}
