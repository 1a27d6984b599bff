namespace AlchemyTypes.Files.Internal;

/// <summary>
/// What the open transaction of one context and its savepoints own: the uploads and recorded deletes of the saves made in
/// it, in a stack of frames (the transaction, then one frame per savepoint). Pure bookkeeping, no I/O: the lifecycle acts
/// on what the methods return.
/// </summary>
/// <remarks>
/// EF Core's savepoint events carry no savepoint name, so the frames follow stack order: a rollback to a savepoint undoes
/// the newest frame (whose work certainly came after whichever savepoint was the target) and keeps it (the savepoint still
/// exists); a release merges the newest frame into the one below. When the target of a rollback was an older savepoint,
/// the frames between keep their uploads (orphans for reconciliation, never a lost file), and because the outbox rows they
/// recorded may have been rolled back, a transaction that saw any rollback to a savepoint runs none of its deletes itself:
/// the rows that really committed are processed by <c>ProcessPendingStorageDeletesAsync</c>. EF Core's own savepoint
/// around a SaveChanges inside a transaction is tracked the same way.
/// </remarks>
internal sealed class FileTransactionTracker
{
    private TransactionFrames? _transaction;

    /// <summary>The id of the transaction whose frames are tracked, if any.</summary>
    public Guid? TransactionId => _transaction?.Id;

    /// <summary>A transaction this context began (its outcome, or its disposal without commit, is seen here).</summary>
    public void Started(Guid transactionId) => _transaction = new TransactionFrames(transactionId, owned: true);

    /// <summary>A save committed its rows into the open transaction <paramref name="transactionId"/>: its work joins the newest frame.</summary>
    public void Add(Guid transactionId, SaveWork save)
    {
        if (_transaction?.Id != transactionId)
        {
            // A transaction given with UseTransaction (or begun before this context saw it): its end may not be seen here.
            _transaction = new TransactionFrames(transactionId, owned: false);
        }

        _transaction.Frames[^1].AddRange(save);
    }

    public void SavepointCreated(Guid transactionId)
    {
        if (_transaction?.Id == transactionId)
        {
            _transaction.Frames.Add(new SaveWork());
        }
    }

    /// <summary>Returns the uploads to remove: the newest frame's. Its recorded deletes are forgotten (the database took their rows back).</summary>
    public List<UploadedFile> RolledBackToSavepoint(Guid transactionId)
    {
        if (_transaction?.Id != transactionId)
        {
            return [];
        }

        _transaction.SawSavepointRollback = true;
        var frame = _transaction.Frames[^1];
        var uploads = frame.Uploads.ToList();
        if (_transaction.Frames.Count > 1)
        {
            _transaction.Frames[^1] = new SaveWork();
        }
        else
        {
            // No frame for the savepoint (it was created before this context tracked the transaction): be conservative.
            frame.Recorded.Clear();
            return [];
        }

        return uploads;
    }

    public void SavepointReleased(Guid transactionId)
    {
        if (_transaction?.Id == transactionId && _transaction.Frames.Count > 1)
        {
            var top = _transaction.Frames[^1];
            _transaction.Frames.RemoveAt(_transaction.Frames.Count - 1);
            _transaction.Frames[^1].AddRange(top);
        }
    }

    /// <summary>A savepoint operation failed: its outcome is unknown, so the transaction's deletes are left to the processor.</summary>
    public void SavepointFailed(Guid transactionId)
    {
        if (_transaction?.Id == transactionId)
        {
            _transaction.SawSavepointRollback = true;
        }
    }

    /// <summary>
    /// The transaction committed: returns its uploads (now permanent) and the recorded deletes to run now — none after a
    /// rollback to a savepoint (their rows are processed from the outbox instead).
    /// </summary>
    public (List<UploadedFile> Uploads, List<PendingStorageDelete> DeletesToRun) Committed(Guid transactionId)
    {
        var transaction = Take(transactionId);
        if (transaction is null)
        {
            return ([], []);
        }

        var all = transaction.All();
        return (all.Uploads, transaction.SawSavepointRollback ? [] : all.Recorded);
    }

    /// <summary>The transaction rolled back: returns every upload it made, to remove.</summary>
    public List<UploadedFile> RolledBack(Guid transactionId) => Take(transactionId)?.All().Uploads ?? [];

    /// <summary>
    /// A commit or rollback failed: the outcome is unknown. Returns the uploads, to keep (never removed); no delete runs here —
    /// the outbox rows, if they committed, are processed later.
    /// </summary>
    public List<UploadedFile> Failed(Guid transactionId) => Take(transactionId)?.All().Uploads ?? [];

    /// <summary>
    /// The tracked transaction ended unseen (disposed without commit, or the context was reset): a transaction this context
    /// began rolled back, so its uploads are returned for removal; the outcome of one given with UseTransaction is unknown,
    /// so its uploads are kept.
    /// </summary>
    public (List<UploadedFile> Remove, List<UploadedFile> Keep) Abandon()
    {
        var transaction = _transaction;
        _transaction = null;
        if (transaction is null)
        {
            return ([], []);
        }

        var uploads = transaction.All().Uploads;
        return transaction.Owned ? (uploads, []) : ([], uploads);
    }

    private TransactionFrames? Take(Guid transactionId)
    {
        if (_transaction?.Id != transactionId)
        {
            return null;
        }

        var transaction = _transaction;
        _transaction = null;
        return transaction;
    }

    private sealed class TransactionFrames(Guid id, bool owned)
    {
        public Guid Id { get; } = id;

        public bool Owned { get; } = owned;

        public List<SaveWork> Frames { get; } = [new SaveWork()];

        public bool SawSavepointRollback { get; set; }

        public SaveWork All()
        {
            var all = new SaveWork();
            foreach (var frame in Frames)
            {
                all.AddRange(frame);
            }

            return all;
        }
    }
}
