using AlchemyTypes.Diagnostics.Internal;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// What one SaveChanges uploads and records, decided over every tracked entry at once (after change detection and EF's
/// cascades): the pending files of rows that are kept are uploaded, and every stored version that the save's changed rows
/// referenced before and no kept tracked row references afterwards (Before − After) is recorded for deletion in the
/// outbox. A file moved between properties, rows, list items or owned entities within the save is therefore never deleted.
/// </summary>
internal sealed class FileSaveStep(StorageRegistry registry, ILogger logger)
{
    /// <summary>How many files of one save are uploaded at once (asynchronous saves; synchronous ones upload one by one).</summary>
    public const int MaxConcurrentUploads = 8;

    public async Task<SaveWork?> PrepareAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        var changeTracker = context.ChangeTracker;
        changeTracker.CascadeChanges(); // EF's cascade deletes and orphan deletes: their rows' files are Before, not After
        var entries = changeTracker.Entries().Where(e => e.State != EntityState.Detached).ToList();
        var uploads = CollectUploads(entries);
        var save = new SaveWork();
        await UploadAsync(uploads, save, async, cancellationToken).ConfigureAwait(false);
        try
        {
            var before = new HashSet<StoredFileRef>();
            var after = new HashSet<StoredFileRef>();
            foreach (var entry in entries)
            {
                if (entry.State is EntityState.Modified or EntityState.Deleted)
                {
                    foreach (var member in FileMembers.Of(entry))
                    {
                        AddStored(before, member, member.Original);
                    }

                    if (entry.State == EntityState.Modified)
                    {
                        await AddDatabaseValuesIfAttachedAsync(entry, before, save, async, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (entry.State != EntityState.Deleted)
                {
                    foreach (var member in FileMembers.Of(entry))
                    {
                        AddStored(after, member, member.Current);
                    }
                }
            }

            // A direct upload was copied to its row's key: the object in its upload place goes once the save commits.
            foreach (var upload in save.Uploads)
            {
                if (upload.File.DirectUploadSource is { } source && !changeTracker.Entries<PendingStorageDelete>().Any(e =>
                        e.State == EntityState.Added && e.Entity.Backend == source.Backend && e.Entity.Key == source.Key))
                {
                    // Conditional on the ETag verified at the attach and the copy: a replayed PUT after it is not deleted blindly,
                    // and the delete does not fall under the rule for ETag-less rows (which keeps objects written after the record).
                    RecordedDeletes.Record(context, source.Backend, source.Key, upload.File.DirectUploadAttached?.ETag);
                }
            }

            before.ExceptWith(after);
            foreach (var garbage in before)
            {
                RecordedDeletes.Record(context, garbage.Backend, garbage.Key, garbage.ETag);
            }
        }
        catch
        {
            await UndoAsync(save.Uploads, async).ConfigureAwait(false);
            throw;
        }

        // Every outbox row this save commits, whoever recorded it (the garbage above, or the library's maintenance operations).
        save.Recorded.AddRange(changeTracker.Entries<PendingStorageDelete>().Where(e => e.State == EntityState.Added).Select(e => e.Entity));
        return save.IsEmpty ? null : save;
    }

    /// <summary>Removes objects uploaded by a save that did not commit; the FileObjects wait to be uploaded again. Never throws.</summary>
    public async Task UndoAsync(IReadOnlyCollection<UploadedFile> uploads, bool async)
    {
        foreach (var group in uploads.GroupBy(u => u.Storage))
        {
            var keys = group.Select(u => u.File.Key).ToList();
            try
            {
                var result = await TracedStorage.DeleteManyAsync(group.First().Backend, group.Key, keys, async, CancellationToken.None).ConfigureAwait(false);
                foreach (var (key, error) in result.Failed)
                {
                    logger.LogWarning("AlchemyTypes could not remove '{Key}', uploaded by a save that did not commit ({Error}); it is an "
                        + "orphan in storage.", key, error);
                }
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "AlchemyTypes could not remove {Count} objects uploaded by a save that did not commit; they are "
                    + "orphans in storage.", keys.Count);
            }

            foreach (var upload in group)
            {
                upload.File.RevertUpload();
            }
        }
    }

    private List<PendingUpload> CollectUploads(List<EntityEntry> entries)
    {
        var uploads = new List<PendingUpload>();
        var owners = new Dictionary<FileObject, string>(ReferenceEqualityComparer.Instance);
        foreach (var entry in entries)
        {
            if (entry.State == EntityState.Deleted)
            {
                continue;
            }

            foreach (var member in FileMembers.Of(entry))
            {
                foreach (var file in member.Current)
                {
                    if (!file.HasPendingContent)
                    {
                        continue;
                    }

                    if (!owners.TryAdd(file, member.Rule.DisplayName))
                    {
                        throw new FileObjectStateException(
                            $"The same new FileObject '{file.FileName}' is assigned to {owners[file]} and to {member.Rule.DisplayName} "
                            + "in one save. A FileObject is one stored object that belongs to one row: create a FileObject for each "
                            + "place (for example FileObject.FromBytes twice), or save it once and assign the saved FileObject elsewhere "
                            + "in a later save. Nothing was stored.");
                    }

                    var backend = member.BackendOf(file, registry.DefaultName);
                    var storage = registry.Get(backend);
                    Validate(member.Rule, file);
                    uploads.Add(new PendingUpload(member, file, backend, storage));
                }
            }
        }

        return uploads;
    }

    private async Task UploadAsync(List<PendingUpload> uploads, SaveWork save, bool async, CancellationToken cancellationToken)
    {
        if (uploads.Count == 0)
        {
            return;
        }

        if (!async || uploads.Count == 1)
        {
            foreach (var upload in uploads)
            {
                await UploadOneAsync(upload, async, cancellationToken).ConfigureAwait(false);
                if (upload.Error is not null)
                {
                    break;
                }
            }
        }
        else
        {
            // Bounded concurrency. The first failure stops uploads from starting, but those in flight run to their end (with
            // the caller's token only): cancelling one could leave an object the service stored after the client gave up,
            // unknown to this save and so never removed.
            using var gate = new SemaphoreSlim(MaxConcurrentUploads);
            var stopped = 0;
            await Task.WhenAll(uploads.Select(async upload =>
            {
                try
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex)
                {
                    upload.Error = ex;
                    return;
                }

                try
                {
                    if (Volatile.Read(ref stopped) == 0)
                    {
                        await UploadOneAsync(upload, async: true, cancellationToken).ConfigureAwait(false);
                        if (upload.Error is not null)
                        {
                            Volatile.Write(ref stopped, 1);
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }

        save.Uploads.AddRange(uploads.Where(u => u.Done).Select(u => new UploadedFile(u.Storage, u.Backend, u.File)));
        var failed = uploads.FirstOrDefault(u => u.Error is not null and not OperationCanceledException)
            ?? uploads.FirstOrDefault(u => u.Error is not null);
        if (failed is not null)
        {
            await UndoAsync(save.Uploads, async).ConfigureAwait(false);
            var ex = failed.Error!;
            if (ex is OperationCanceledException or FileValidationException or FileObjectStateException or AlchemyTypesConfigurationException
                or DirectUploadException)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex);
            }

            throw new FileStorageException(
                $"Storing '{failed.File.FileName}' for {failed.Member.Rule.DisplayName} in the storage backend '{failed.Backend}' failed: {ex.Message} "
                + "Nothing was saved to the database, and files this save had uploaded were removed.",
                ex) { Property = failed.Member.Rule.DisplayName };
        }

        foreach (var upload in uploads)
        {
            // Same instance, new stored version: make sure the column is written.
            if (upload.Member.Entry.EntityEntry.State is EntityState.Modified or EntityState.Unchanged)
            {
                upload.Member.Entry.IsModified = true;
            }
        }
    }

    private static async Task UploadOneAsync(PendingUpload upload, bool async, CancellationToken cancellationToken)
    {
        var rule = upload.Member.Rule;
        var file = upload.File;
        try
        {
            var maxSize = rule.MaxSize;
            Func<long, Exception> onTooLarge = size => new FileValidationException(
                $"'{file.FileName}' is larger than the {rule.MaxSize} bytes allowed for {rule.DisplayName} (read {size} bytes so far); nothing was stored.")
                { Property = rule.DisplayName };
            if (file.DirectUploadSource is not null)
            {
                // The object may have been written again through its upload URL since it was attached: checked again here.
                (maxSize, onTooLarge) = await DirectUploads.RecheckBeforeCopyAsync(file, upload.Storage, rule, async, cancellationToken)
                    .ConfigureAwait(false);
            }

            await file.UploadAsync(
                upload.Backend,
                upload.Storage,
                maxSize,
                onTooLarge,
                rule.AllowedContentTypes,
                rule.DisplayName,
                async,
                cancellationToken).ConfigureAwait(false);
            upload.Done = true;
        }
        catch (StorageObjectExistsException ex) when (file.DirectUploadSource is not null)
        {
            upload.Error = new DirectUploadException(DirectUploadFailure.AlreadyAttached, $"The direct upload '{file.FileName}' was "
                + $"attached already: its file belongs to another row. Nothing was stored for {rule.DisplayName}; a token attaches once.", ex);
        }
        catch (FileValidationException ex) when (file.DirectUploadSource is { } source)
        {
            upload.Error = ex;
            await DirectUploads.RemoveRefusedAsync(upload.Storage, source.Key, async).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            upload.Error = ex;
        }
    }

    /// <summary>
    /// An entity attached with <c>Update()</c> has its current values as original values: the file it had in the database is
    /// unknown to the change tracker. Its file columns are read from the database (one query per such entity) so that the
    /// replaced file is recorded too. A detached entity that writes back a stored file its row no longer holds is stale (another
    /// save replaced the file since the entity was loaded, and that file's delete is recorded or done): writing it would leave
    /// the row pointing at a deleted object and delete the newer file, so the save is refused with a concurrency error.
    /// </summary>
    private async Task AddDatabaseValuesIfAttachedAsync(
        EntityEntry entry, HashSet<StoredFileRef> before, SaveWork save, bool async, CancellationToken cancellationToken)
    {
        var members = FileProperty.Of(entry.Metadata);
        var suspect = members.Any(p =>
        {
            var property = entry.Property(p.Property);
            return property.IsModified && SameFiles(p, property.OriginalValue, property.CurrentValue);
        });
        if (!suspect)
        {
            return;
        }

        var values = async ? await entry.GetDatabaseValuesAsync(cancellationToken).ConfigureAwait(false) : entry.GetDatabaseValues();
        if (values is null)
        {
            return;
        }

        var inDatabase = new HashSet<(string Backend, string Key)>();
        foreach (var property in members)
        {
            foreach (var file in property.Items(values[property.Property]))
            {
                if (file.IsStored)
                {
                    var backend = file.Backend ?? property.Backend ?? registry.DefaultName;
                    before.Add(new StoredFileRef(backend, file.Key, file.ETag));
                    inDatabase.Add((backend, file.Key));
                }
            }
        }

        var uploaded = save.Uploads.Select(u => u.File).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var property in members)
        {
            var current = entry.Property(property.Property);
            if (!current.IsModified || !SameFiles(property, current.OriginalValue, current.CurrentValue))
            {
                continue;
            }

            foreach (var file in property.Items(current.CurrentValue))
            {
                if (file.IsStored && !uploaded.Contains(file) && !inDatabase.Contains((file.Backend ?? property.Backend ?? registry.DefaultName, file.Key)))
                {
                    throw new DbUpdateConcurrencyException(
                        $"{property.DisplayName} of this {entry.Metadata.DisplayName()} was attached with Update() holding the stored file "
                        + $"'{file.Key}', but its row in the database no longer holds that file: another save replaced it since this "
                        + "entity was loaded, and the replaced file is deleted. Saving would point the row at a deleted object and delete "
                        + "the newer file, so nothing was saved. Reload the entity (or refresh it with GetDatabaseValues) and apply your "
                        + "change again; to put an existing file in another row, assign it on tracked entities.");
                }
            }
        }
    }

    private static bool SameFiles(FileProperty property, object? original, object? current)
    {
        var a = property.Items(original).ToList();
        var b = property.Items(current).ToList();
        return a.Count == b.Count && a.Zip(b).All(p => FileObject.SameStoredVersion(p.First, p.Second));
    }

    private void AddStored(HashSet<StoredFileRef> set, FileMember member, IEnumerable<FileObject> files)
    {
        foreach (var file in files)
        {
            if (file.IsStored)
            {
                set.Add(new StoredFileRef(member.BackendOf(file, registry.DefaultName), file.Key, file.ETag));
            }
        }
    }

    private static void Validate(FileProperty property, FileObject file)
    {
        // Allowed content types are checked on the type detected from the bytes, when the upload starts (UploadContentInspector).
        if (property.MaxSize is { } max && file.Pending?.KnownLength is { } length && length > max)
        {
            throw new FileValidationException($"'{file.FileName}' has {length} bytes, more than the {max} allowed for "
                + $"{property.DisplayName}; nothing was stored.")
            {
                Property = property.DisplayName,
            };
        }
    }

    private sealed class PendingUpload(FileMember member, FileObject file, string backend, IStorageBackend storage)
    {
        public FileMember Member { get; } = member;

        public FileObject File { get; } = file;

        public string Backend { get; } = backend;

        public IStorageBackend Storage { get; } = storage;

        public bool Done { get; set; }

        public Exception? Error { get; set; }
    }
}
