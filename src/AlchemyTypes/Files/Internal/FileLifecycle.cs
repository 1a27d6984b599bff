using System.Transactions;
using AlchemyTypes.Infrastructure.Internal;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// The FileObject lifecycle of one context (a scoped EF Core service, reset for every pooled lease). It wires the three
/// concerns to EF Core's events: <see cref="FileSaveStep"/> (what a save uploads and records), <see cref="FileTransactionTracker"/>
/// (what a transaction and its savepoints own) and <see cref="RecordedDeleteProcessor"/> (running recorded deletes).
/// The rules: a stored object is deleted only after the commit of the transaction that recorded its delete; whatever did not
/// commit has its uploads removed; an unknown outcome keeps every object; nothing after the commit throws.
/// </summary>
internal sealed class FileLifecycle(AlchemyTypesSingletonOptions options, ILoggerFactory loggerFactory)
    : ISaveChangesStep, IResettableService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("AlchemyTypes.FileObject");
    private readonly FileTransactionTracker _transactions = new();
    private readonly List<Guid> _rowsToForget = [];
    private FileSaveStep? _step;
    private RecordedDeleteProcessor? _processor;
    private SaveWork? _save;

    private StorageRegistry Registry => options.StorageRegistry
        ?? throw new AlchemyTypesConfigurationException("No storage backend is configured: AddAlchemyTypes(a => a.AddStorage(\"files\", backend)).");

    private FileSaveStep Step => _step ??= new FileSaveStep(Registry, _logger);

    private RecordedDeleteProcessor Processor => _processor ??= new RecordedDeleteProcessor(Registry, _logger);

    public int Order => SaveChangesStepOrder.Files;

    ValueTask ISaveChangesStep.SavingChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
        => new(BeforeSaveAsync(context, async, cancellationToken));

    ValueTask ISaveChangesStep.SavedChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
        => new(AfterSaveAsync(context, async)); // post-commit work ignores the caller's token: it must not fail a committed save

    ValueTask ISaveChangesStep.SaveChangesFailedAsync(DbContext context, bool async) => new(SaveFailedAsync(context, async));

    /// <summary>Called from SavingChanges, after change detection.</summary>
    public async Task BeforeSaveAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        if (context.Model.FindAnnotation(AlchemyTypesAnnotationNames.HasFileProperties)?.Value is not true)
        {
            return;
        }

        if (_save is not null)
        {
            // The previous save uploaded files but EF Core never ran it (a later SavingChanges interceptor threw): no
            // failure event follows such a save, so its uploads are removed here.
            await SaveFailedAsync(context, async).ConfigureAwait(false);
        }

        await AbandonTransactionIfGoneAsync(context, async).ConfigureAwait(false);
        if (_rowsToForget.Count > 0)
        {
            var ids = _rowsToForget.ToList();
            _rowsToForget.Clear();
            await Processor.ForgetRowsAsync(context, ids, async).ConfigureAwait(false);
        }

        // EF Core reports a concurrency conflict through this event only, not through the SaveChangesFailed interceptor.
        // Subscribed on every save: a pooled context drops its event handlers between leases.
        context.SaveChangesFailed -= OnSaveChangesFailed;
        context.SaveChangesFailed += OnSaveChangesFailed;
        _save = await Step.PrepareAsync(context, async, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Called from SavedChanges: the database accepted the save (and committed it, unless a transaction is open).</summary>
    public async Task AfterSaveAsync(DbContext context, bool async)
    {
        var save = _save;
        _save = null;
        if (save is null)
        {
            return;
        }

        try
        {
            foreach (var row in save.Recorded)
            {
                context.Entry(row).State = EntityState.Detached;
            }

            if (context.Database.CurrentTransaction is { } transaction)
            {
                _transactions.Add(transaction.TransactionId, save); // deletes wait for the commit; a rollback removes these uploads
                return;
            }

            if (Transaction.Current is { } ambient)
            {
                EnlistInAmbientTransaction(ambient, save);
                return;
            }

            // No transaction left open: SaveChanges committed its own. From here on nothing may throw, nor be cancelled.
            Complete(save.Uploads);
            var done = await RunAsync(save.Recorded, async).ConfigureAwait(false);
            await Processor.ForgetRowsAsync(context, done, async).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "AlchemyTypes' work after a committed save failed; recorded deletes stay in {Table} for "
                + "ProcessPendingStorageDeletes.", PendingStorageDelete.TableName);
        }
    }

    /// <summary>Called when SaveChanges failed or was cancelled: nothing it uploaded may stay, unless the commit's outcome is unknown.</summary>
    public async Task SaveFailedAsync(DbContext context, bool async)
    {
        var save = _save;
        _save = null;
        if (save is null)
        {
            return;
        }

        foreach (var row in save.Recorded)
        {
            var entry = context.Entry(row);
            if (entry.State != EntityState.Detached)
            {
                entry.State = EntityState.Detached;
            }
        }

        if (save.OutcomeUnknown)
        {
            // The commit may have reached the database: keep every object (an orphan is recoverable, a lost file is not).
            _logger.LogWarning(
                "The commit of a save failed with an unknown outcome; AlchemyTypes keeps the {Count} files it uploaded (orphans, if the "
                    + "rows did not commit, are found by reconciliation).",
                save.Uploads.Count);
            Complete(save.Uploads);
            return;
        }

        await Step.UndoAsync(save.Uploads, async).ConfigureAwait(false);
    }

    private void OnSaveChangesFailed(object? sender, SaveChangesFailedEventArgs e)
    {
        if (sender is DbContext context && _save is not null)
        {
            SaveFailedAsync(context, async: false).GetAwaiter().GetResult();
        }
    }

    public void TransactionStarted(Guid transactionId) => _transactions.Started(transactionId);

    public async Task TransactionCommittedAsync(Guid transactionId, bool async)
    {
        try
        {
            var (uploads, deletes) = _transactions.Committed(transactionId);
            Complete(uploads);

            // The outbox rows cannot be removed from inside the commit event; they go at the next save (or ProcessPendingStorageDeletes).
            _rowsToForget.AddRange(await RunAsync(deletes, async).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            _logger.LogWarning(
                ex,
                "AlchemyTypes' work after a commit failed; recorded deletes stay in {Table} for ProcessPendingStorageDeletes.",
                PendingStorageDelete.TableName);
        }
    }

    public async Task TransactionRolledBackAsync(Guid transactionId, bool async)
        => await Step.UndoAsync(_transactions.RolledBack(transactionId), async).ConfigureAwait(false);

    public void TransactionFailed(Guid transactionId, string action)
    {
        if (action is "Commit" or "Rollback")
        {
            // The outcome is unknown: keep every object. Deletes recorded in the outbox are processed if their rows committed.
            Complete(_transactions.Failed(transactionId));
            if (_save is not null && action == "Commit")
            {
                _save.OutcomeUnknown = true; // SaveChanges' own transaction: the failure event that follows must not remove its uploads
            }
        }
        else
        {
            _transactions.SavepointFailed(transactionId);
        }
    }

    public void SavepointCreated(Guid transactionId) => _transactions.SavepointCreated(transactionId);

    public async Task RolledBackToSavepointAsync(Guid transactionId, bool async)
        => await Step.UndoAsync(_transactions.RolledBackToSavepoint(transactionId), async).ConfigureAwait(false);

    public void SavepointReleased(Guid transactionId) => _transactions.SavepointReleased(transactionId);

    /// <summary>
    /// A savepoint rollback written as SQL (<see cref="RawSavepointInterceptor"/>): which saves it took back is unknown, so the
    /// transaction's recorded deletes are left to the outbox, where only the rows that commit remain.
    /// </summary>
    public void RawSavepointRolledBack(Guid transactionId) => _transactions.SavepointFailed(transactionId);

    public void ResetState() => AbandonAsync(async: false).GetAwaiter().GetResult();

    public Task ResetStateAsync(CancellationToken cancellationToken = default) => AbandonAsync(async: true);

    public void Dispose() => ResetState();

    private async Task AbandonTransactionIfGoneAsync(DbContext context, bool async)
    {
        if (_transactions.TransactionId is { } tracked && context.Database.CurrentTransaction?.TransactionId != tracked)
        {
            var (remove, keep) = _transactions.Abandon();
            Complete(keep);
            await Step.UndoAsync(remove, async).ConfigureAwait(false);
        }
    }

    /// <summary>The context is disposed or returned to its pool: whatever this lease left open ended without a commit.</summary>
    private async Task AbandonAsync(bool async)
    {
        var save = _save;
        _save = null;
        _rowsToForget.Clear(); // processed later by ProcessPendingStorageDeletes (their objects are gone; a second delete is harmless)
        var (remove, keep) = _transactions.Abandon();
        Complete(keep);
        if (_step is null)
        {
            return;
        }

        if (save is not null)
        {
            // A save that uploaded files and then never ran (a later interceptor threw) before the context went away.
            await _step.UndoAsync(save.Uploads, async).ConfigureAwait(false);
        }

        await _step.UndoAsync(remove, async).ConfigureAwait(false);
    }

    private async Task<List<Guid>> RunAsync(List<PendingStorageDelete> rows, bool async)
        => rows.Count == 0
            ? []
            : async
                ? await Processor.DeleteCommittedAsync(rows).ConfigureAwait(false)
                : Task.Run(() => Processor.DeleteCommittedAsync(rows)).GetAwaiter().GetResult();

    private void EnlistInAmbientTransaction(Transaction ambient, SaveWork save)
    {
        var step = Step;
        var processor = Processor;
        ambient.TransactionCompleted += (_, e) =>
        {
            try
            {
                var status = e.Transaction?.TransactionInformation.Status;
                if (status == TransactionStatus.Committed)
                {
                    Complete(save.Uploads);

                    // The context may be gone by now: the rows stay in the outbox until ProcessPendingStorageDeletes.
                    Task.Run(() => processor.DeleteCommittedAsync(save.Recorded)).GetAwaiter().GetResult();
                }
                else if (status == TransactionStatus.Aborted)
                {
                    step.UndoAsync(save.Uploads, async: false).GetAwaiter().GetResult();
                }
                else
                {
                    Complete(save.Uploads); // in doubt: keep every object
                }
            }
            catch (Exception ex)
            {
                _logger.LogWarning(
                    ex, "AlchemyTypes' work at the end of an ambient transaction failed; recorded deletes stay in {Table}.", PendingStorageDelete.TableName);
            }
        };
    }

    private static void Complete(IEnumerable<UploadedFile> uploads)
    {
        foreach (var upload in uploads)
        {
            upload.File.CompleteUpload();
        }
    }
}
