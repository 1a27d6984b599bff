using System.Transactions;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using AlchemyTypes.Infrastructure.Internal;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// The FileObject lifecycle of one context (a scoped EF Core service):
/// uploads pending content during <c>SaveChanges</c>, before the database commits; records the objects that became
/// garbage in the <see cref="PendingStorageDelete"/> outbox, in the same database transaction; deletes them from storage
/// after the commit; and removes what a failed save or a rolled-back transaction uploaded.
/// </summary>
internal sealed class FileObjectLifecycle(AlchemyTypesSingletonOptions options, ILoggerFactory loggerFactory)
    : ISaveChangesStep, IResettableService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("AlchemyTypes.FileObject");
    private readonly HashSet<Guid> _startedTransactions = [];
    private readonly List<Guid> _outboxRowsToRemove = [];
    private SaveWork? _save;
    private TransactionWork? _transaction;
    private DbContext? _subscribedContext;

    public int Order => SaveChangesStepOrder.Files;

    ValueTask ISaveChangesStep.SavingChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
        => new(BeforeSaveAsync(context, async, cancellationToken));

    ValueTask ISaveChangesStep.SavedChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
        => new(AfterSaveAsync(context, async, cancellationToken));

    ValueTask ISaveChangesStep.SaveChangesFailedAsync(DbContext context, bool async) => new(SaveFailedAsync(context, async));

    private StorageRegistry Registry => options.StorageRegistry
        ?? throw new AlchemyTypesConfigurationException("No storage backend is configured: AddAlchemyTypes(a => a.AddStorage(\"files\", backend)).");

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
        await RemoveOutboxRowsAsync(context, async, cancellationToken).ConfigureAwait(false);

        var uploads = new List<(EntityEntry Entry, FileProperty Property, FileObject File, string Backend, IStorageBackend Storage)>();
        var deletes = new List<(string Backend, string Key)>();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            foreach (var property in FileProperty.Of(entry.Metadata))
            {
                var propertyEntry = entry.Property(property.Property);
                if (entry.State == EntityState.Modified && !propertyEntry.IsModified)
                {
                    continue; // unchanged column: nothing to upload or delete
                }

                var current = entry.State == EntityState.Deleted ? [] : property.Items(propertyEntry.CurrentValue).ToList();
                var original = entry.State == EntityState.Added ? [] : property.Items(propertyEntry.OriginalValue);
                foreach (var file in current.Where(f => f.HasPendingContent))
                {
                    var backend = file.Backend ?? property.Backend ?? Registry.DefaultName;
                    var storage = Registry.Get(backend);
                    Validate(property, file);
                    uploads.Add((entry, property, file, backend, storage));
                }

                foreach (var old in original)
                {
                    if (old.IsStored && !current.Any(c => c.Equals(old)))
                    {
                        deletes.Add((old.Backend ?? property.Backend ?? Registry.DefaultName, old.Key));
                    }
                }
            }
        }

        if (uploads.Count == 0 && deletes.Count == 0)
        {
            return;
        }

        if (!ReferenceEquals(_subscribedContext, context))
        {
            // EF Core reports a concurrency conflict through this event only, not through the SaveChangesFailed interceptor.
            context.SaveChangesFailed += OnSaveChangesFailed;
            _subscribedContext = context;
        }

        var save = new SaveWork();
        foreach (var (entry, property, file, backend, storage) in uploads)
        {
            try
            {
                await file.UploadAsync(
                    backend,
                    storage,
                    property.MaxSize,
                    size => new FileValidationException($"'{file.FileName}' is larger than the {property.MaxSize} bytes allowed for {property.DisplayName} (read {size} bytes so far); nothing was stored.") { Property = property.DisplayName },
                    async,
                    cancellationToken).ConfigureAwait(false);
                save.Uploads.Add(new UploadedFile(storage, backend, file));
            }
            catch (Exception ex)
            {
                await UndoUploadsAsync(save.Uploads, async).ConfigureAwait(false);
                if (ex is OperationCanceledException or FileValidationException or FileObjectStateException or AlchemyTypesConfigurationException)
                {
                    throw;
                }

                throw new FileStorageException(
                    $"Storing '{file.FileName}' for {property.DisplayName} in the storage backend '{backend}' failed: {ex.Message} "
                    + "Nothing was saved to the database, and files this save had uploaded were removed.",
                    ex) { Property = property.DisplayName };
            }

            if (entry.State is EntityState.Modified or EntityState.Unchanged)
            {
                // Same instance, new stored version: make sure the column is written.
                entry.Property(property.Property).IsModified = true;
            }
        }

        if (deletes.Count > 0)
        {
            var now = DateTime.UtcNow;
            var outbox = context.Set<PendingStorageDelete>();
            foreach (var (backend, key) in deletes.Distinct())
            {
                var row = new PendingStorageDelete { Id = Keys.UuidV7ValueGenerator.NewGuid(context.Database.ProviderName), Backend = backend, Key = key, EnqueuedAt = now };
                outbox.Add(row);
                save.Outbox.Add(row);
            }
        }

        _save = save;
    }

    /// <summary>Called from SavedChanges: the database accepted the save (and committed it, unless a transaction is open).</summary>
    public async Task AfterSaveAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        var save = _save;
        _save = null;
        if (save is null)
        {
            return;
        }

        foreach (var row in save.Outbox)
        {
            context.Entry(row).State = EntityState.Detached;
        }

        if (context.Database.CurrentTransaction is { } transaction)
        {
            // Deletes wait for the commit; a rollback removes these uploads.
            if (_transaction?.Id != transaction.TransactionId)
            {
                _transaction = new TransactionWork(transaction.TransactionId, _startedTransactions.Contains(transaction.TransactionId));
            }

            _transaction.Add(save);
            return;
        }

        if (Transaction.Current is { } ambient)
        {
            EnlistInAmbientTransaction(ambient, save);
            return;
        }

        // No transaction left open: SaveChanges committed its own.
        foreach (var upload in save.Uploads)
        {
            upload.File.CompleteUpload();
        }

        var removed = await DeleteFromStorageAsync(save.Outbox, async, CancellationToken.None).ConfigureAwait(false);
        _outboxRowsToRemove.AddRange(removed);
        try
        {
            await RemoveOutboxRowsAsync(context, async, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The save itself succeeded; the outbox rows stay and are removed by the next save or ProcessPendingStorageDeletes.
            _logger.LogWarning(ex, "AlchemyTypes could not remove {Count} processed rows from {Table}; they will be removed later.", removed.Count, PendingStorageDelete.TableName);
        }
    }

    /// <summary>Called when SaveChanges failed or was cancelled: nothing it uploaded may stay.</summary>
    public async Task SaveFailedAsync(DbContext context, bool async)
    {
        var save = _save;
        _save = null;
        if (save is null)
        {
            return;
        }

        foreach (var row in save.Outbox)
        {
            var entry = context.Entry(row);
            if (entry.State != EntityState.Detached)
            {
                entry.State = EntityState.Detached;
            }
        }

        await UndoUploadsAsync(save.Uploads, async).ConfigureAwait(false);
    }

    private void OnSaveChangesFailed(object? sender, SaveChangesFailedEventArgs e)
    {
        if (sender is DbContext context && _save is not null)
        {
            SaveFailedAsync(context, async: false).GetAwaiter().GetResult();
        }
    }

    public void TransactionStarted(Guid transactionId) => _startedTransactions.Add(transactionId);

    public async Task TransactionCommittedAsync(Guid transactionId, bool async)
    {
        _startedTransactions.Remove(transactionId);
        if (_transaction?.Id != transactionId)
        {
            return;
        }

        var work = _transaction;
        _transaction = null;
        foreach (var upload in work.Uploads)
        {
            upload.File.CompleteUpload();
        }

        // The outbox rows cannot be removed from inside the commit; they go at the next save (or ProcessPendingStorageDeletes).
        _outboxRowsToRemove.AddRange(await DeleteFromStorageAsync(work.Outbox, async, CancellationToken.None).ConfigureAwait(false));
    }

    public async Task TransactionRolledBackAsync(Guid transactionId, bool async)
    {
        _startedTransactions.Remove(transactionId);
        if (_transaction?.Id != transactionId)
        {
            return;
        }

        var work = _transaction;
        _transaction = null;
        await UndoUploadsAsync(work.Uploads, async).ConfigureAwait(false);
    }

    public void TransactionFailed(Guid transactionId)
    {
        // A commit or rollback that failed leaves the outcome unknown: keep every object (an orphan is recoverable, a
        // row pointing at a deleted object is not). Deletes recorded in the outbox are processed if the rows committed.
        _startedTransactions.Remove(transactionId);
        if (_transaction?.Id == transactionId)
        {
            _transaction = null;
        }
    }

    public void ResetState() => AbandonTransactionAsync(async: false).GetAwaiter().GetResult();

    public Task ResetStateAsync(CancellationToken cancellationToken = default) => AbandonTransactionAsync(async: true);

    public void Dispose() => ResetState();

    private async Task AbandonTransactionIfGoneAsync(DbContext context, bool async)
    {
        if (_transaction is not null && context.Database.CurrentTransaction?.TransactionId != _transaction.Id)
        {
            await AbandonTransactionAsync(async).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The transaction this context began ended without a commit through EF Core (it was disposed, or the context was):
    /// it rolled back, so its uploads are garbage. A transaction supplied with UseTransaction is left alone: its outcome
    /// is not known here.
    /// </summary>
    private async Task AbandonTransactionAsync(bool async)
    {
        var work = _transaction;
        var save = _save;
        _transaction = null;
        _save = null;
        _startedTransactions.Clear();
        if (save is not null)
        {
            // A save that uploaded files and then never ran (a later interceptor threw) before the context went away.
            await UndoUploadsAsync(save.Uploads, async).ConfigureAwait(false);
        }

        if (work is { Owned: true })
        {
            await UndoUploadsAsync(work.Uploads, async).ConfigureAwait(false);
        }
    }

    private void EnlistInAmbientTransaction(Transaction ambient, SaveWork save)
    {
        var uploads = save.Uploads.ToList();
        var outbox = save.Outbox.ToList();
        ambient.TransactionCompleted += (_, e) =>
        {
            if (e.Transaction?.TransactionInformation.Status == TransactionStatus.Committed)
            {
                foreach (var upload in uploads)
                {
                    upload.File.CompleteUpload();
                }

                // The context may be gone by now: rows stay in the outbox until ProcessPendingStorageDeletes.
                DeleteFromStorageAsync(outbox, async: false, CancellationToken.None).GetAwaiter().GetResult();
            }
            else if (e.Transaction?.TransactionInformation.Status == TransactionStatus.Aborted)
            {
                UndoUploadsAsync(uploads, async: false).GetAwaiter().GetResult();
            }
        };
    }

    /// <summary>Deletes the objects of these outbox rows; returns the ids of the rows whose object is gone.</summary>
    private async Task<List<Guid>> DeleteFromStorageAsync(IReadOnlyCollection<PendingStorageDelete> rows, bool async, CancellationToken cancellationToken)
    {
        var done = new List<Guid>(rows.Count);
        foreach (var group in rows.GroupBy(r => r.Backend, StringComparer.Ordinal))
        {
            if (!Registry.TryGet(group.Key, out var storage))
            {
                continue;
            }

            var keys = group.Select(r => r.Key).Distinct(StringComparer.Ordinal).ToList();
            try
            {
                var result = async ? await storage.DeleteManyAsync(keys, cancellationToken).ConfigureAwait(false) : storage.DeleteMany(keys);
                var deleted = result.Deleted.ToHashSet(StringComparer.Ordinal);
                done.AddRange(group.Where(r => deleted.Contains(r.Key)).Select(r => r.Id));
                foreach (var (key, error) in result.Failed)
                {
                    _logger.LogWarning("AlchemyTypes could not delete '{Key}' from storage backend '{Backend}' ({Error}); the delete stays recorded in {Table} for ProcessPendingStorageDeletes.", key, group.Key, error, PendingStorageDelete.TableName);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "AlchemyTypes could not delete {Count} objects from storage backend '{Backend}'; the deletes stay recorded in {Table} for ProcessPendingStorageDeletes.", keys.Count, group.Key, PendingStorageDelete.TableName);
            }
        }

        return done;
    }

    private async Task RemoveOutboxRowsAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        if (_outboxRowsToRemove.Count == 0)
        {
            return;
        }

        var ids = _outboxRowsToRemove.ToList();
        await PendingStorageDeleteRows.DeleteAsync(context, ids, async, cancellationToken).ConfigureAwait(false);
        _outboxRowsToRemove.RemoveAll(ids.Contains);
    }

    private async Task UndoUploadsAsync(IReadOnlyCollection<UploadedFile> uploads, bool async)
    {
        foreach (var group in uploads.GroupBy(u => u.Storage))
        {
            var keys = group.Select(u => u.File.Key).ToList();
            try
            {
                var result = async ? await group.Key.DeleteManyAsync(keys, CancellationToken.None).ConfigureAwait(false) : group.Key.DeleteMany(keys);
                foreach (var (key, error) in result.Failed)
                {
                    _logger.LogWarning("AlchemyTypes could not remove '{Key}', uploaded by a save that did not commit ({Error}); it is an orphan in storage.", key, error);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "AlchemyTypes could not remove {Count} objects uploaded by a save that did not commit; they are orphans in storage.", keys.Count);
            }

            foreach (var upload in group)
            {
                upload.File.RevertUpload();
            }
        }
    }

    private static void Validate(FileProperty property, FileObject file)
    {
        if (property.AllowedContentTypes is { } allowed && !allowed.Any(pattern => ContentTypes.Matches(file.ContentType, pattern)))
        {
            throw new FileValidationException($"'{file.FileName}' has the content type '{file.ContentType}', which {property.DisplayName} does not accept (allowed: {string.Join(", ", allowed)}); nothing was stored.")
            {
                Property = property.DisplayName,
            };
        }

        if (property.MaxSize is { } max && file.Pending?.KnownLength is { } length && length > max)
        {
            throw new FileValidationException($"'{file.FileName}' has {length} bytes, more than the {max} allowed for {property.DisplayName}; nothing was stored.")
            {
                Property = property.DisplayName,
            };
        }
    }

    private sealed record UploadedFile(IStorageBackend Storage, string Backend, FileObject File);

    private sealed class SaveWork
    {
        public List<UploadedFile> Uploads { get; } = [];

        public List<PendingStorageDelete> Outbox { get; } = [];
    }

    private sealed class TransactionWork(Guid id, bool owned)
    {
        public Guid Id { get; } = id;

        public bool Owned { get; } = owned;

        public List<UploadedFile> Uploads { get; } = [];

        public List<PendingStorageDelete> Outbox { get; } = [];

        public void Add(SaveWork save)
        {
            Uploads.AddRange(save.Uploads);
            Outbox.AddRange(save.Outbox);
        }
    }
}
