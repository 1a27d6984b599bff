using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace AlchemyTypes;

/// <summary>
/// A storage object that must be deleted because no row references it any more (its row was deleted, its file replaced or
/// moved away): the transactional outbox of FileObject deletes. A row is written in the same database transaction as the
/// change that orphaned the object — so a rollback, to the start or to a savepoint, takes it back too — and removed only once
/// the storage delete succeeded, so a delete is never lost to a crash or a storage outage, and never runs for a change that
/// did not commit. Failed
/// deletes stay, with <see cref="Attempts"/> and <see cref="LastError"/>, until
/// <c>context.ProcessPendingStorageDeletesAsync()</c> succeeds. The table (<c>alchemy_pending_storage_deletes</c>) is part of
/// the model, and so of migrations, whenever the model has FileObject or FileObjectList properties.
/// </summary>
[Table(TableName)]
public sealed class PendingStorageDelete
{
    /// <summary>The table name.</summary>
    public const string TableName = "alchemy_pending_storage_deletes";

    /// <summary>The id (a UUIDv7, so ids sort by time).</summary>
    public Guid Id { get; set; }

    /// <summary>The name of the storage backend.</summary>
    [MaxLength(64)]
    public string Backend { get; set; } = "";

    /// <summary>The object key.</summary>
    [MaxLength(1024)]
    public string Key { get; set; } = "";

    /// <summary>
    /// The ETag of the stored version to delete, when the backend reported one: the delete is conditional on it, so an object
    /// stored later under the same key (a reused <c>FileObjectOptions.Key</c>) is never removed by this row.
    /// </summary>
    [MaxLength(256)]
    public string? ETag { get; set; }

    /// <summary>When the delete was recorded (UTC).</summary>
    public DateTime EnqueuedAt { get; set; }

    /// <summary>How many deletes were tried and failed.</summary>
    public int Attempts { get; set; }

    /// <summary>The last failure, if any.</summary>
    [MaxLength(2000)]
    public string? LastError { get; set; }

    /// <summary>The run of <c>ProcessPendingStorageDeletesAsync</c> that claimed the row, while it works on it.</summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>Until when the claim holds (UTC); another run takes the row over after that (a run that crashed).</summary>
    public DateTime? ClaimedUntil { get; set; }
}
