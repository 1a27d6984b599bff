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

    /// <summary>
    /// Of <see cref="FilesMoved"/>, those copied under a new key because the target already held their key (a copy left by an
    /// interrupted run, or the old object of an earlier move the other way) or had a delete recorded for it. An existing
    /// object is never adopted: nothing proves no delete or reconciliation is about to remove it.
    /// </summary>
    public long NewKeys { get; init; }

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

    /// <summary>Files left on the source because a delete of their copy's key was recorded while they were copied (run again).</summary>
    public long Conflicts { get; init; }

    /// <summary>
    /// Old objects kept on the source for <see cref="FileMoveOptions.SourceRetention"/> (a hold recorded in the outbox with the
    /// row rewrite); reconciliation deletes each once its hold is over and no row references it.
    /// </summary>
    public long OldObjectsHeld { get; init; }

    /// <summary>Deletes of unused copies (of rows changed during the move) recorded in the outbox.</summary>
    public long DeletesRecorded { get; init; }

    /// <summary>Of those, objects deleted by this run; the rest stay recorded for <c>ProcessPendingStorageDeletesAsync</c>.</summary>
    public long ObjectsDeleted { get; init; }

    /// <summary>The files left where they were, with why, up to <see cref="FileMoveOptions.MaxReportedItems"/>.</summary>
    public IReadOnlyList<FileMoveSkip> Skipped { get; init; } = [];

    /// <summary>Recorded deletes that failed when processed (they stay recorded and are retried).</summary>
    public IReadOnlyList<PendingStorageDeleteFailure> DeleteFailures { get; init; } = [];
}
