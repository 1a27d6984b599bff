namespace AlchemyTypes.Maintenance;

/// <summary>What one run of <c>context.MoveFilesAsync</c> did.</summary>
public sealed class FileMoveReport
{
    /// <summary>Rows read from the tables in scope.</summary>
    public long RowsScanned { get; init; }

    /// <summary>Files found on the source backend in the properties in scope.</summary>
    public long FilesFound { get; init; }

    /// <summary>Files now on the target backend: copied, verified and their rows rewritten.</summary>
    public long FilesMoved { get; init; }

    /// <summary>Of <see cref="FilesMoved"/>, those whose verified copy was already on the target (left by an interrupted run).</summary>
    public long AlreadyCopied { get; init; }

    /// <summary>Bytes copied to the target.</summary>
    public long BytesCopied { get; init; }

    /// <summary>Rows rewritten (a row with several files is one).</summary>
    public long RowsRewritten { get; init; }

    /// <summary>Files moved whose row records no checksum (written by another library): only their size was verified.</summary>
    public long WithoutChecksum { get; init; }

    /// <summary>Files left on the source because their content did not match the row or was missing.</summary>
    public long ChecksumMismatches { get; init; }

    /// <summary>Files left on the source because their row changed during the move (the copy is deleted; run again).</summary>
    public long RowsChanged { get; init; }

    /// <summary>Files left on the source because the target holds other content under the same key.</summary>
    public long Conflicts { get; init; }

    /// <summary>Deletes of old objects (and of unused copies) recorded in the outbox with the row rewrites.</summary>
    public long DeletesRecorded { get; init; }

    /// <summary>Of those, objects deleted by this run; the rest stay recorded for <c>ProcessPendingStorageDeletesAsync</c>.</summary>
    public long ObjectsDeleted { get; init; }

    /// <summary>The files left where they were, with why, up to <see cref="FileMoveOptions.MaxReportedItems"/>.</summary>
    public IReadOnlyList<FileMoveSkip> Skipped { get; init; } = [];

    /// <summary>Recorded deletes that failed when processed (they stay recorded and are retried).</summary>
    public IReadOnlyList<PendingStorageDeleteFailure> DeleteFailures { get; init; } = [];
}
