namespace AlchemyTypes.Maintenance;

/// <summary>What one reconciliation found and did.</summary>
public sealed class FileReconcileReport
{
    /// <summary>Whether this was a dry run (nothing recorded or deleted).</summary>
    public bool DryRun { get; init; }

    /// <summary>Rows read, across every table with file columns.</summary>
    public long RowsScanned { get; init; }

    /// <summary>File references found in those rows, in the reconciled backends.</summary>
    public long References { get; init; }

    /// <summary>Objects listed, across the reconciled backends.</summary>
    public long ObjectsListed { get; init; }

    /// <summary>Objects no row references and older than the grace period.</summary>
    public long OrphansFound { get; init; }

    /// <summary>Orphans whose delete was recorded in the outbox (0 in a dry run).</summary>
    public long OrphansRecorded { get; init; }

    /// <summary>Orphans deleted from storage by the outbox processing that followed.</summary>
    public long OrphansDeleted { get; init; }

    /// <summary>Unreferenced objects kept because they are younger than the grace period.</summary>
    public long YoungObjectsKept { get; init; }

    /// <summary>How many references point at an object that does not exist.</summary>
    public long MissingCount { get; init; }

    /// <summary>The orphans, up to <see cref="FileReconcileOptions.MaxReportedItems"/>.</summary>
    public IReadOnlyList<OrphanedObject> Orphans { get; init; } = [];

    /// <summary>The rows whose object is missing, up to <see cref="FileReconcileOptions.MaxReportedItems"/>.</summary>
    public IReadOnlyList<MissingFile> Missing { get; init; } = [];

    /// <summary>Recorded deletes that failed when processed (they stay recorded and are retried).</summary>
    public IReadOnlyList<PendingStorageDeleteFailure> DeleteFailures { get; init; } = [];
}
