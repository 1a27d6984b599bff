namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>Where a file sits on a document.</summary>
public enum FileSlot
{
    Main,
    Extra,
    Attachment,
    StampFile,
    NoteFile,
}

/// <summary>A fault armed for one SaveChanges or Commit call.</summary>
public enum Fault
{
    None,

    /// <summary>Every upload of the save breaks after some bytes (an IOException from the content stream).</summary>
    UploadFails,

    /// <summary>Storage deletes fail during the call (the deletes stay recorded).</summary>
    DeleteFails,

    /// <summary>COMMIT is never sent: the connection drops just before (outcome unknown to the library).</summary>
    CommitFailsBeforeServer,

    /// <summary>COMMIT reaches the server and commits, then the call fails (outcome unknown to the library).</summary>
    CommitFailsAfterServer,

    /// <summary>The caller's token is cancelled when the first upload starts.</summary>
    CancelAtUpload,

    /// <summary>The caller's token is cancelled when the first SQL command of the call is sent.</summary>
    CancelAtSql,

    /// <summary>The caller's token is cancelled just before COMMIT is sent.</summary>
    CancelBeforeCommit,

    /// <summary>The caller's token is cancelled once COMMIT succeeded.</summary>
    CancelAfterCommit,
}

/// <summary>
/// One user action of the model-based test. Picks (<c>Doc</c>, <c>From</c>, …) are indexes taken modulo what exists when the
/// step runs, so any sequence is runnable and shrinking moves them towards the first row. The runner's transcript says what
/// each step resolved to.
/// </summary>
public abstract record ModelStep;

/// <summary>A new document (in a new or an existing folder) with new files in the chosen places.</summary>
public sealed record AddDoc(int Folder, bool Main, bool Extra, int Attachments, bool Stamp, bool Note, int Content) : ModelStep;

/// <summary>A new document holding a new file whose key (<c>FileObjectOptions.Key</c>) is that of an object a committed row no longer references.</summary>
public sealed record AddDocReusingKey(int Released, int Content) : ModelStep;

/// <summary>Replaces the file in a slot with a new one (adds one to the list for <see cref="FileSlot.Attachment"/>).</summary>
public sealed record ReplaceFile(int Doc, FileSlot Slot, int Content) : ModelStep;

/// <summary>Sets a slot to null (removes a list item for <see cref="FileSlot.Attachment"/>).</summary>
public sealed record SetNull(int Doc, FileSlot Slot, int Index) : ModelStep;

/// <summary>Moves a list item to another position, in place.</summary>
public sealed record ListMove(int Doc, int From, int To) : ModelStep;

/// <summary>Assigns a new list instance with the same files reversed.</summary>
public sealed record ListReassignReversed(int Doc) : ModelStep;

/// <summary>Moves a stored file from one place to another (other slot, other row), in one save.</summary>
public sealed record MoveFile(int From, int ToDoc, FileSlot ToSlot) : ModelStep;

/// <summary>Deletes a document and adds a new one that keeps all its stored files.</summary>
public sealed record RecreateDoc(int Doc) : ModelStep;

/// <summary>Replaces the owned stamp with a new instance that keeps its file.</summary>
public sealed record ReplaceStampKeepingFile(int Doc) : ModelStep;

/// <summary>Replaces the child note with a new row that keeps its file.</summary>
public sealed record ReplaceNoteKeepingFile(int Doc) : ModelStep;

/// <summary>Deletes a document (EF Core cascades to its loaded note).</summary>
public sealed record DeleteDoc(int Doc) : ModelStep;

/// <summary>Deletes a folder: EF Core cascades to its documents and their notes.</summary>
public sealed record DeleteFolder(int Folder) : ModelStep;

/// <summary>Deletes a document from a fresh context without loading its note: the database's ON DELETE CASCADE removes the note.</summary>
public sealed record DeleteDocDatabaseCascade(int Doc) : ModelStep;

/// <summary>SaveChanges (sync or async) with a fault armed; on failure, either go on with a cleared tracker or drop the context.</summary>
public sealed record Save(Fault Fault, bool Sync, bool ContinueAfterFailure) : ModelStep;

/// <summary>BeginTransaction.</summary>
public sealed record Begin : ModelStep;

/// <summary>CreateSavepoint (within a transaction).</summary>
public sealed record Savepoint : ModelStep;

/// <summary>RollbackToSavepoint (to one of the savepoints made), then ChangeTracker.Clear().</summary>
public sealed record RollbackToSavepoint(int Which) : ModelStep;

/// <summary>Commit with a fault armed.</summary>
public sealed record Commit(Fault Fault) : ModelStep;

/// <summary>Rollback.</summary>
public sealed record Rollback : ModelStep;

/// <summary>Disposes the context (back to the pool when pooled; an open transaction rolls back) and takes a new one.</summary>
public sealed record NewContext : ModelStep;

/// <summary>ProcessPendingStorageDeletesAsync from another context, then invariant (2).</summary>
public sealed record ProcessDeletes : ModelStep;

/// <summary>
/// ReconcileFilesAsync from another context (maintenance between the writer's steps). With no transaction open and
/// <paramref name="Later"/>, with a clock two days ahead: every orphan is past the grace period and must go, no referenced
/// file may. Otherwise with the real clock: the writer's uncommitted uploads are young and must be kept.
/// </summary>
public sealed record Reconcile(bool Later) : ModelStep;

/// <summary>ExecuteDeleteWithFilesAsync of one committed document from another context; the writer's context keeps what it loaded.</summary>
public sealed record BulkDelete(int Doc) : ModelStep;

/// <summary>A detached update: a committed document read without tracking, a file of it replaced, saved by another context with Update().</summary>
public sealed record DetachedUpdate(int Doc, FileSlot Slot, int Content) : ModelStep;

/// <summary>
/// Another writer replaces a file of a committed document while the writer's context keeps its (now stale) copy, which later
/// steps may change and save. Only with <c>ALCHEMYTYPES_MODEL_STALE_WRITERS=1</c> (see <see cref="ModelBudget.StaleWriters"/>).
/// </summary>
public sealed record StaleWriter(int Doc, FileSlot Slot, int Content) : ModelStep;

/// <summary>One generated run: whether contexts come from a pool, and the steps.</summary>
public sealed record ModelSequence(bool Pooled, ModelStep[] Steps)
{
    public override string ToString()
        => $"{(Pooled ? "pooled contexts (PooledDbContextFactory)" : "new context per lease")}, {Steps.Length} steps:{Environment.NewLine}"
            + string.Join(Environment.NewLine, Steps.Select((s, i) => $"  {i + 1,2}. {s}"));
}
