using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Maintenance;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// Runs one <see cref="ModelSequence"/> against the real database and storage through the public API only, keeps the model
/// (what each created file's content is, which objects may be left for reconciliation and why) and checks the invariants
/// after every step. The committed state is always read back from the database, never predicted.
/// <list type="number">
/// <item>Every file a committed row references exists with the size and SHA-256 checksum the row records, and that content
/// is the content the test gave to a file with that key.</item>
/// <item>After processing the recorded deletes (with no transaction open), every stored object is referenced by a committed
/// row, except the allowed orphans the model tracks with a reason (the reconciliation's job).</item>
/// <item>A call whose COMMIT succeeded does not report a failure (post-commit work never turns a committed save into an
/// exception), except where the injected fault is the connection dropping after COMMIT.</item>
/// <item>After a reconcile past the grace period with no transaction open, no stored object is left that no committed row
/// references (maintenance steps, see <see cref="ModelGenerators.SequenceWithMaintenance"/>).</item>
/// <item>Reconcile and ExecuteDeleteWithFilesAsync between the writer's steps succeed.</item>
/// </list>
/// </summary>
public sealed class ModelRunner(ModelHarness harness)
{
    private readonly List<string> _transcript = [];
    private readonly Dictionary<string, List<(long Size, string Checksum, string Name)>> _contents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _allowedOrphans = new(StringComparer.Ordinal);
    private readonly List<string> _savepoints = [];
    private readonly HashSet<int> _skipped = [];
    private HashSet<string> _committedKeys = new(StringComparer.Ordinal);
    private readonly List<string> _releasedKeys = [];
    private ModelContext? _context;
    private IDbContextTransaction? _transaction;
    private int _transactionStartUploads;
    private HashSet<string> _transactionStartKeys = new(StringComparer.Ordinal);
    private bool _pooled;
    private int _counter;
    private int _step;

    /// <summary>What every run so far did, in numbers (for the soak report).</summary>
    public ModelTotals Totals { get; } = new();

    /// <summary>What the last run did, step by step.</summary>
    public IReadOnlyList<string> Transcript => _transcript;

    private ModelContext Context => _context ??= _pooled ? harness.Pool.CreateDbContext() : new ModelContext(harness.Options);

    public async Task RunAsync(ModelSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        await ResetAsync();
        _pooled = sequence.Pooled;
        _transcript.Add(sequence.Pooled ? "contexts from PooledDbContextFactory" : "a new context per lease");
        try
        {
            Totals.Sequences++;
            foreach (var step in sequence.Steps)
            {
                Totals.Steps++;
                _step++;
                _transcript.Add($"{_step,3}. {step}");
                await ExecuteAsync(step);
                await CheckCommittedFilesAsync(step.ToString());
            }

            _step++;
            _transcript.Add($"{_step,3}. (end) dispose the context, then ProcessPendingStorageDeletesAsync");
            await DropContextAsync();
            await ProcessDeletesAndCheckAsync("end of the sequence");
            await CheckCommittedFilesAsync("end of the sequence");
        }
        finally
        {
            harness.Faults.Disarm();
            harness.Storage.Reset();
            await DropContextAsync();
        }
    }

    private async Task ResetAsync()
    {
        await DropContextAsync();
        await using (var context = harness.CreateCheckContext())
        {
            await context.Notes.ExecuteDeleteAsync();
            await context.Docs.ExecuteDeleteAsync();
            await context.Folders.ExecuteDeleteAsync();
            await context.Set<PendingStorageDelete>().ExecuteDeleteAsync();
        }

        var keys = harness.Recording.UploadedKeys.Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count > 0)
        {
            await harness.Recording.Real.DeleteManyAsync(keys);
        }

        harness.Recording.Clear();
        harness.Storage.Reset();
        _transcript.Clear();
        _contents.Clear();
        _allowedOrphans.Clear();
        _savepoints.Clear();
        _skipped.Clear();
        _committedKeys = new(StringComparer.Ordinal);
        _releasedKeys.Clear();
        _counter = 0;
        _step = 0;
    }

    private void Note(string text)
    {
        if (text.StartsWith("skipped", StringComparison.Ordinal))
        {
            _skipped.Add(_step);
        }

        _transcript.Add("       -> " + text);
    }

    /// <summary>The steps (1-based) of the last run that did nothing (nothing to act on): the shrinker drops them first.</summary>
    public IReadOnlyCollection<int> SkippedSteps => _skipped;

    private async Task DropContextAsync()
    {
        _transaction = null;
        _savepoints.Clear();
        if (_context is not null)
        {
            var context = _context;
            _context = null;
            try
            {
                await context.DisposeAsync();
            }
            catch (Exception e) when (e is not ModelViolationException)
            {
                Note($"disposing the context failed: {Describe(e)}");
            }
        }
    }

    private async Task ExecuteAsync(ModelStep step)
    {
        try
        {
            switch (step)
            {
                case AddDoc s: await AddDocAsync(s); break;
                case AddDocReusingKey s: await AddDocReusingKeyAsync(s); break;
                case ReplaceFile s: await ReplaceFileAsync(s); break;
                case SetNull s: await SetNullAsync(s); break;
                case ListMove s: await ListMoveAsync(s); break;
                case ListReassignReversed s: await ListReassignAsync(s); break;
                case MoveFile s: await MoveFileAsync(s); break;
                case RecreateDoc s: await RecreateDocAsync(s); break;
                case ReplaceStampKeepingFile s: await ReplaceStampAsync(s); break;
                case ReplaceNoteKeepingFile s: await ReplaceNoteAsync(s); break;
                case DeleteDoc s: await DeleteDocAsync(s); break;
                case DeleteFolder s: await DeleteFolderAsync(s); break;
                case DeleteDocDatabaseCascade s: await DeleteDocDatabaseCascadeAsync(s); break;
                case Save s: await SaveAsync(s); break;
                case Begin: await BeginAsync(); break;
                case Savepoint: await SavepointAsync(); break;
                case RollbackToSavepoint s: await RollbackToSavepointAsync(s); break;
                case Commit s: await CommitAsync(s); break;
                case Rollback: await RollbackAsync(); break;
                case NewContext: await DropContextAsync(); Note("context disposed"); break;
                case ProcessDeletes: await ProcessDeletesStepAsync(); break;
                case Reconcile s: await ReconcileAsync(s); break;
                case BulkDelete s: await BulkDeleteAsync(s); break;
                case DetachedUpdate s: await DetachedUpdateAsync(s); break;
                case StaleWriter s: await StaleWriterAsync(s); break;
                default: throw new InvalidOperationException($"unknown step {step}");
            }
        }
        catch (Exception e) when (e is not ModelViolationException)
        {
            // A user operation (query, tracking, transaction call) failed: the application drops its context, as a request would.
            Note($"failed: {Describe(e)}; the context is dropped");
            await DropContextAsync();
        }
    }

    // ----- data: documents and files -----

    private async Task<List<ModelDoc>> DocsAsync()
    {
        var context = Context;
        await context.Docs.Include(d => d.Note).Include(d => d.Folder).ToListAsync();
        return context.ChangeTracker.Entries<ModelDoc>()
            .Where(e => e.State is not (EntityState.Deleted or EntityState.Detached))
            .Select(e => e.Entity)
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<List<ModelFolder>> FoldersAsync()
    {
        var context = Context;
        await context.Folders.Include(f => f.Docs).ThenInclude(d => d.Note).ToListAsync();
        return context.ChangeTracker.Entries<ModelFolder>()
            .Where(e => e.State is not (EntityState.Deleted or EntityState.Detached))
            .Select(e => e.Entity)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
    }

    private FileObject NewFile(int content, string? key = null)
    {
        var name = $"f{++_counter}";
        var random = new Random(HashCode.Combine(content, _counter));
        var bytes = new byte[1 + random.Next(3000)];
        random.NextBytes(bytes);
        var file = FileObject.FromBytes(bytes, name + ".bin", key is null ? null : new FileObjectOptions { Key = key });
        if (!_contents.TryGetValue(file.Key, out var list))
        {
            _contents[file.Key] = list = [];
        }

        list.Add((bytes.Length, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), name));
        return file;
    }

    private static string Label(FileObject? file)
        => file is null ? "null" : Path.GetFileNameWithoutExtension(file.FileName) + (file.IsStored ? "" : " (new)");

    private static string Label(ModelDoc doc)
        => $"{doc.Name}[Main={Label(doc.Main)}, Extra={Label(doc.Extra)}, Attachments=({string.Join(",", doc.Attachments.Select(Label))}), "
            + $"Stamp={(doc.Stamp is null ? "none" : Label(doc.Stamp.File))}, Note={(doc.Note is null ? "none" : Label(doc.Note.File))}]";

    private static FileObject? Get(ModelDoc doc, FileSlot slot, int index = 0) => slot switch
    {
        FileSlot.Main => doc.Main,
        FileSlot.Extra => doc.Extra,
        FileSlot.StampFile => doc.Stamp?.File,
        FileSlot.NoteFile => doc.Note?.File,
        _ => doc.Attachments.Count == 0 ? null : doc.Attachments[index % doc.Attachments.Count],
    };

    private static void Put(ModelDoc doc, FileSlot slot, FileObject? file)
    {
        switch (slot)
        {
            case FileSlot.Main: doc.Main = file; break;
            case FileSlot.Extra: doc.Extra = file; break;
            case FileSlot.StampFile when doc.Stamp is null: doc.Stamp = new ModelStamp { Label = "stamp", File = file }; break;
            case FileSlot.StampFile: doc.Stamp.File = file; break;
            case FileSlot.NoteFile when doc.Note is null: doc.Note = new ModelNote { Text = "note", File = file }; break;
            case FileSlot.NoteFile: doc.Note.File = file; break;
            default:
                if (file is not null)
                {
                    doc.Attachments.Add(file);
                }

                break;
        }
    }

    private async Task AddDocAsync(AddDoc s)
    {
        var folders = await FoldersAsync();
        ModelFolder folder;
        if (folders.Count == 0 || s.Folder >= folders.Count)
        {
            folder = new ModelFolder { Name = $"F{++_counter}" };
            Context.Add(folder);
        }
        else
        {
            folder = folders[s.Folder];
        }

        var doc = new ModelDoc { Name = $"D{++_counter}", Folder = folder };
        if (s.Main)
        {
            doc.Main = NewFile(s.Content);
        }

        if (s.Extra)
        {
            doc.Extra = NewFile(s.Content + 1);
        }

        for (var i = 0; i < s.Attachments; i++)
        {
            doc.Attachments.Add(NewFile(s.Content + 2 + i));
        }

        if (s.Stamp)
        {
            doc.Stamp = new ModelStamp { Label = "stamp", File = NewFile(s.Content + 5) };
        }

        if (s.Note)
        {
            doc.Note = new ModelNote { Text = "note", File = NewFile(s.Content + 6) };
        }

        Context.Add(doc);
        Note($"added {Label(doc)} in {folder.Name}");
    }

    private async Task AddDocReusingKeyAsync(AddDocReusingKey s)
    {
        if (_releasedKeys.Count == 0)
        {
            Note("skipped: no key was released by a committed change yet");
            return;
        }

        var key = _releasedKeys[s.Released % _releasedKeys.Count];
        var folders = await FoldersAsync();
        var folder = folders.FirstOrDefault() ?? new ModelFolder { Name = $"F{++_counter}" };
        var doc = new ModelDoc { Name = $"D{++_counter}", Folder = folder, Main = NewFile(s.Content, key) };
        Context.Add(doc);
        Note($"added {Label(doc)} whose Main reuses key '{key}' (of {string.Join("/", _contents[key].Select(c => c.Name))})");
    }

    private async Task<ModelDoc?> PickDocAsync(int pick)
    {
        var docs = await DocsAsync();
        if (docs.Count == 0)
        {
            Note("skipped: no document");
            return null;
        }

        return docs[pick % docs.Count];
    }

    private async Task ReplaceFileAsync(ReplaceFile s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        var before = Label(doc);
        Put(doc, s.Slot, NewFile(s.Content));
        Note($"{before} -> {Label(doc)}");
    }

    private async Task SetNullAsync(SetNull s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        var before = Label(doc);
        if (s.Slot == FileSlot.Attachment)
        {
            if (doc.Attachments.Count == 0)
            {
                Note($"skipped: {doc.Name} has no attachment");
                return;
            }

            doc.Attachments.RemoveAt(s.Index % doc.Attachments.Count);
        }
        else if (s.Slot == FileSlot.StampFile && doc.Stamp is not null)
        {
            doc.Stamp.File = null;
        }
        else if (s.Slot == FileSlot.NoteFile && doc.Note is not null)
        {
            doc.Note.File = null;
        }
        else if (s.Slot is FileSlot.Main or FileSlot.Extra)
        {
            Put(doc, s.Slot, null);
        }

        Note($"{before} -> {Label(doc)}");
    }

    private async Task ListMoveAsync(ListMove s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        if (doc.Attachments.Count < 2)
        {
            Note($"skipped: {doc.Name} has fewer than two attachments");
            return;
        }

        var before = Label(doc);
        var from = s.From % doc.Attachments.Count;
        var item = doc.Attachments[from];
        doc.Attachments.RemoveAt(from);
        doc.Attachments.Insert(s.To % (doc.Attachments.Count + 1), item);
        Note($"{before} -> {Label(doc)}");
    }

    private async Task ListReassignAsync(ListReassignReversed s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        var before = Label(doc);
        doc.Attachments = new FileObjectList(doc.Attachments.Reverse());
        Note($"{before} -> {Label(doc)} (new list instance)");
    }

    private async Task MoveFileAsync(MoveFile s)
    {
        var docs = await DocsAsync();
        var places = docs.SelectMany(d => new[] { FileSlot.Main, FileSlot.Extra, FileSlot.StampFile, FileSlot.NoteFile }
                .Select(slot => (Doc: d, Slot: slot, Index: 0, File: Get(d, slot)))
                .Concat(d.Attachments.Select((f, i) => (Doc: d, Slot: FileSlot.Attachment, Index: i, File: (FileObject?)f))))
            .Where(p => p.File is { IsStored: true })
            .ToList();
        if (places.Count == 0)
        {
            Note("skipped: no stored file to move");
            return;
        }

        var (source, slot, index, file) = places[s.From % places.Count];
        var target = s.ToDoc % (docs.Count + 1) < docs.Count ? docs[s.ToDoc % (docs.Count + 1)] : null;
        if (target == source && slot == s.ToSlot && slot != FileSlot.Attachment)
        {
            Note("skipped: source and target are the same place");
            return;
        }

        var before = Label(source) + (target is null || target == source ? "" : ", " + Label(target));
        if (slot == FileSlot.Attachment)
        {
            source.Attachments.RemoveAt(index);
        }
        else if (slot == FileSlot.StampFile)
        {
            source.Stamp!.File = null;
        }
        else if (slot == FileSlot.NoteFile)
        {
            source.Note!.File = null;
        }
        else
        {
            Put(source, slot, null);
        }

        if (target is null)
        {
            target = new ModelDoc { Name = $"D{++_counter}", Folder = source.Folder };
            Context.Add(target);
        }

        Put(target, s.ToSlot, file);
        Note($"moved {Label(file)} from {source.Name}.{slot} to {target.Name}.{s.ToSlot}: {before} -> {Label(source)}"
            + (target == source ? "" : ", " + Label(target)));
    }

    private async Task RecreateDocAsync(RecreateDoc s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        var copy = new ModelDoc
        {
            Name = $"D{++_counter}",
            Folder = doc.Folder,
            Main = doc.Main,
            Extra = doc.Extra,
            Attachments = new FileObjectList(doc.Attachments),
            Stamp = doc.Stamp is null ? null : new ModelStamp { Label = doc.Stamp.Label, File = doc.Stamp.File },
            Note = doc.Note is null ? null : new ModelNote { Text = doc.Note.Text, File = doc.Note.File },
        };
        Context.Remove(doc);
        Context.Add(copy);
        Note($"deleted {Label(doc)}, added {Label(copy)} keeping its files");
    }

    private async Task ReplaceStampAsync(ReplaceStampKeepingFile s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        if (doc.Stamp is null)
        {
            Note($"skipped: {doc.Name} has no stamp");
            return;
        }

        doc.Stamp = new ModelStamp { Label = doc.Stamp.Label + "'", File = doc.Stamp.File };
        Note($"{doc.Name}.Stamp replaced by a new owned instance keeping {Label(doc.Stamp.File)}");
    }

    private async Task ReplaceNoteAsync(ReplaceNoteKeepingFile s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        if (doc.Note is null)
        {
            Note($"skipped: {doc.Name} has no note");
            return;
        }

        doc.Note = new ModelNote { Text = doc.Note.Text + "'", File = doc.Note.File };
        Note($"{doc.Name}.Note replaced by a new child row keeping {Label(doc.Note.File)}");
    }

    private async Task DeleteDocAsync(DeleteDoc s)
    {
        if (await PickDocAsync(s.Doc) is not { } doc)
        {
            return;
        }

        Context.Remove(doc);
        Note($"removed {Label(doc)}");
    }

    private async Task DeleteFolderAsync(DeleteFolder s)
    {
        var folders = await FoldersAsync();
        if (folders.Count == 0)
        {
            Note("skipped: no folder");
            return;
        }

        var folder = folders[s.Folder % folders.Count];
        Context.Remove(folder);
        Note($"removed folder {folder.Name}; EF cascades to {string.Join(", ", folder.Docs.Select(Label))}");
    }

    private async Task DeleteDocDatabaseCascadeAsync(DeleteDocDatabaseCascade s)
    {
        if (_transaction is not null)
        {
            Note("skipped: needs no open transaction (another context writes)");
            return;
        }

        await DropContextAsync();
        await using var context = new ModelContext(harness.Options);
        var docs = await context.Docs.OrderBy(d => d.Name).ToListAsync();
        if (docs.Count == 0)
        {
            Note("skipped: no committed document");
            return;
        }

        var doc = docs[s.Doc % docs.Count];
        ModelNote? note;
        await using (var check = harness.CreateCheckContext())
        {
            note = await check.Notes.AsNoTracking().Where(n => n.DocId == doc.Id).FirstOrDefaultAsync();
        }

        if (note?.File is { } noteFile)
        {
            _allowedOrphans.TryAdd(noteFile.Key, $"step {_step}: the database's ON DELETE CASCADE removed {doc.Name}'s note row, which no context saw "
                + "(documented: the reconciliation collects it)");
        }

        context.Remove(doc);
        await context.SaveChangesAsync();
        Note($"removed {doc.Name} without loading its note (note file: {Label(note?.File)}); the database cascades");
    }

    // ----- saving and transactions -----

    private async Task SaveAsync(Save s)
    {
        var context = Context;
        var startUploads = harness.Recording.UploadCount;
        var keysBefore = new HashSet<string>(_committedKeys, StringComparer.Ordinal);
        var sync = s.Sync && s.Fault is not (Fault.CancelAtUpload or Fault.CancelAtSql or Fault.CancelBeforeCommit or Fault.CancelAfterCommit);
        var failure = await WithFaultAsync(s.Fault, async token =>
        {
            if (sync)
            {
                context.SaveChanges();
            }
            else
            {
                await context.SaveChangesAsync(token);
            }
        });
        var outcome = failure is null ? "saved" : $"failed: {Describe(failure)}";
        Note($"{(sync ? "SaveChanges" : "SaveChangesAsync")}{(_transaction is null ? "" : " in the open transaction")} {outcome}{FaultNote(s.Fault)}");
        CheckCommittedCallReportsSuccess("SaveChanges", s.Fault, failure);
        if (failure is null)
        {
            return;
        }

        if (UnknownOutcome(s.Fault))
        {
            AllowUnknownOutcome(s.Fault, startUploads, keysBefore);
        }

        if (_transaction is not null && s.ContinueAfterFailure)
        {
            Context.ChangeTracker.Clear();
            Note("the application clears the change tracker and goes on in the same transaction");
        }
        else
        {
            await DropContextAsync();
            Note("the context is dropped");
        }
    }

    private async Task BeginAsync()
    {
        if (_transaction is not null)
        {
            Note("skipped: a transaction is open");
            return;
        }

        _transaction = await Context.Database.BeginTransactionAsync();
        _transactionStartUploads = harness.Recording.UploadCount;
        _transactionStartKeys = new HashSet<string>(_committedKeys, StringComparer.Ordinal);
        _savepoints.Clear();
    }

    private async Task SavepointAsync()
    {
        if (_transaction is null)
        {
            Note("skipped: no transaction");
            return;
        }

        var name = $"sp{++_counter}";
        await _transaction.CreateSavepointAsync(name);
        _savepoints.Add(name);
        Note($"savepoint {name}");
    }

    private async Task RollbackToSavepointAsync(RollbackToSavepoint s)
    {
        if (_transaction is null || _savepoints.Count == 0)
        {
            Note("skipped: no savepoint");
            return;
        }

        var index = s.Which % _savepoints.Count;
        var name = _savepoints[index];
        await _transaction.RollbackToSavepointAsync(name);
        _savepoints.RemoveRange(index + 1, _savepoints.Count - index - 1);
        Context.ChangeTracker.Clear();
        Note($"rolled back to {name}; the application clears the change tracker");
    }

    private async Task CommitAsync(Commit s)
    {
        if (_transaction is null)
        {
            Note("skipped: no transaction");
            return;
        }

        var transaction = _transaction;
        var failure = await WithFaultAsync(s.Fault, token => transaction.CommitAsync(token));
        Note($"CommitAsync {(failure is null ? "committed" : "failed: " + Describe(failure))}{FaultNote(s.Fault)}");
        CheckCommittedCallReportsSuccess("Commit", s.Fault, failure);
        if (failure is not null)
        {
            if (UnknownOutcome(s.Fault))
            {
                AllowUnknownOutcome(s.Fault, _transactionStartUploads, _transactionStartKeys);
            }

            await DropContextAsync();
            Note("the context is dropped");
            return;
        }

        await transaction.DisposeAsync();
        _transaction = null;
        _savepoints.Clear();
    }

    private async Task RollbackAsync()
    {
        if (_transaction is null)
        {
            Note("skipped: no transaction");
            return;
        }

        await _transaction.RollbackAsync();
        await _transaction.DisposeAsync();
        _transaction = null;
        _savepoints.Clear();
        Context.ChangeTracker.Clear();
        Note("rolled back; the application clears the change tracker");
    }

    private async Task<Exception?> WithFaultAsync(Fault fault, Func<CancellationToken, Task> call)
    {
        using var cancellation = new CancellationTokenSource();
        harness.Faults.Arm(fault, cancellation);
        harness.Storage.FailUploadsAfterBytes = fault == Fault.UploadFails ? 100 : null;
        harness.Storage.FailDeletes = fault == Fault.DeleteFails;
        try
        {
            await call(cancellation.Token);
            return null;
        }
        catch (Exception e) when (e is not ModelViolationException)
        {
            return e;
        }
        finally
        {
            harness.Storage.FailUploadsAfterBytes = null;
            harness.Storage.FailDeletes = false;
            harness.Faults.Disarm();
        }
    }

    private string FaultNote(Fault fault)
        => fault == Fault.None
            ? ""
            : $" [{fault} {(harness.Faults.Fired ? "fired" : "did not fire")}{(harness.Faults.CommitSucceeded ? ", COMMIT succeeded" : "")}]";

    private static bool UnknownOutcome(Fault fault) => fault is Fault.CommitFailsBeforeServer or Fault.CommitFailsAfterServer or Fault.CancelBeforeCommit;

    private void AllowUnknownOutcome(Fault fault, int startUploads, HashSet<string> keysBefore)
    {
        if (!harness.Faults.Fired)
        {
            return;
        }

        var reason = $"step {_step}: commit outcome unknown to the library ({fault}); it keeps every object and the reconciliation collects what is garbage";
        foreach (var key in harness.Recording.UploadedKeys.Skip(startUploads).Concat(keysBefore))
        {
            _allowedOrphans.TryAdd(key, reason);
        }
    }

    private void CheckCommittedCallReportsSuccess(string call, Fault fault, Exception? failure)
    {
        if (failure is not null && harness.Faults.CommitSucceeded && fault != Fault.CommitFailsAfterServer)
        {
            throw Violation(3, "a call whose COMMIT succeeded does not report a failure",
                $"{call} committed, then threw {Describe(failure)}");
        }
    }

    // ----- maintenance between the writer's steps -----

    private async Task ReconcileAsync(Reconcile s)
    {
        var later = s.Later && _transaction is null;
        await using (var context = harness.CreateCheckContext())
        {
            if (_transaction is not null && context.Database.IsSqlite())
            {
                Note("skipped: SQLite has one writer and the writer's transaction holds it (maintenance takes its lease with a write)");
                return;
            }

            FileReconcileReport report;
            try
            {
                report = await context.ReconcileFilesAsync(new FileReconcileOptions
                {
                    TimeProvider = later ? new TestUtilities.ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(2)) : null,
                });
            }
            catch (Exception e) when (e is not ModelViolationException)
            {
                throw Violation(5, "maintenance between the writer's steps succeeds", $"ReconcileFilesAsync threw {Describe(e)}");
            }

            Totals.Reconciles++;
            Totals.OrphansReconciled += report.OrphansDeleted;
            Note($"ReconcileFilesAsync{(later ? " two days later" : _transaction is null ? "" : " while the writer's transaction is open")}: "
                + $"{report.ObjectsListed} listed, {report.OrphansFound} orphans, {report.OrphansDeleted} deleted, {report.YoungObjectsKept} young kept, "
                + $"{report.MissingCount} missing");
            if (report.MissingCount > 0)
            {
                throw Violation(1, "every file a committed row references exists",
                    string.Join(Environment.NewLine, report.Missing.Select(m => $"reconcile: {m.Column} of row {m.RowId} points at the missing '{m.Key}'")));
            }
        }

        if (!later)
        {
            return;
        }

        // Past the grace period, with nothing uncommitted: no object may be left that no committed row references.
        var referenced = (await ReadCommittedAsync()).Select(c => c.File.Key).ToHashSet(StringComparer.Ordinal);
        var left = new List<string>();
        foreach (var key in harness.Recording.UploadedKeys.Distinct(StringComparer.Ordinal))
        {
            if (!referenced.Contains(key) && await harness.Recording.Real.ExistsAsync(key))
            {
                left.Add($"object '{key}' ({NamesOf(key)}) is stored and unreferenced after reconcile past the grace period");
            }
        }

        if (left.Count > 0)
        {
            throw Violation(4, "reconcile past the grace period leaves no unreferenced object", string.Join(Environment.NewLine, left));
        }

        _allowedOrphans.Clear();
        Note("no unreferenced object is left; the allowed orphans are collected");
    }

    private async Task BulkDeleteAsync(BulkDelete s)
    {
        if (_transaction is not null)
        {
            Note("skipped: the writer's transaction is open (its row locks would block the bulk delete)");
            return;
        }

        await using var context = harness.CreateCheckContext();
        var docs = await context.Docs.AsNoTracking().OrderBy(d => d.Name).ToListAsync();
        if (docs.Count == 0)
        {
            Note("skipped: no committed document");
            return;
        }

        var doc = docs[s.Doc % docs.Count];
        var note = await context.Notes.AsNoTracking().Where(n => n.DocId == doc.Id).FirstOrDefaultAsync();
        if (note?.File is { } noteFile)
        {
            _allowedOrphans.TryAdd(noteFile.Key, $"step {_step}: the database's ON DELETE CASCADE removed {doc.Name}'s note row with the bulk "
                + "delete (documented: ExecuteDeleteWithFilesAsync does not see cascades; the reconciliation collects it)");
        }

        var name = doc.Name;
        int count;
        try
        {
            count = await context.Docs.ExecuteDeleteWithFilesAsync(d => d.Name == name);
        }
        catch (Exception e) when (e is not ModelViolationException)
        {
            throw Violation(5, "maintenance between the writer's steps succeeds", $"ExecuteDeleteWithFilesAsync threw {Describe(e)}");
        }

        Totals.BulkDeletedRows += count;
        Note($"ExecuteDeleteWithFilesAsync from another context deleted {count} row: {Label(doc)} (note file: {Label(note?.File)}); "
            + "the writer's context still holds what it loaded");
    }

    private async Task DetachedUpdateAsync(DetachedUpdate s)
    {
        if (_transaction is not null)
        {
            Note("skipped: the writer's transaction is open (its row locks would block another writer)");
            return;
        }

        // The writer's context goes first: what it holds would be stale after this save (stale writers: StaleWriter).
        await DropContextAsync();
        ModelDoc doc;
        await using (var read = new ModelContext(harness.Options))
        {
            var docs = await read.Docs.AsNoTracking().Include(d => d.Note).OrderBy(d => d.Name).ToListAsync();
            if (docs.Count == 0)
            {
                Note("skipped: no committed document");
                return;
            }

            doc = docs[s.Doc % docs.Count];
        }

        var before = Label(doc);
        Put(doc, s.Slot, NewFile(s.Content));
        await using var write = new ModelContext(harness.Options);
        write.Update(doc);
        var failure = await WithFaultAsync(Fault.None, token => write.SaveChangesAsync(token));
        Totals.DetachedUpdates++;
        Totals.DetachedUpdateFailures += failure is null ? 0 : 1;
        Note($"detached Update() {before} -> {Label(doc)} {(failure is null ? "saved" : "failed: " + Describe(failure))}");
    }

    private async Task StaleWriterAsync(StaleWriter s)
    {
        if (_transaction is not null)
        {
            Note("skipped: the writer's transaction is open (its row locks would block another writer)");
            return;
        }

        await using var other = new ModelContext(harness.Options);
        var docs = await other.Docs.Include(d => d.Note).OrderBy(d => d.Name).ToListAsync();
        if (docs.Count == 0)
        {
            Note("skipped: no committed document");
            return;
        }

        var doc = docs[s.Doc % docs.Count];
        var before = Label(doc);
        Put(doc, s.Slot, NewFile(s.Content));
        var failure = await WithFaultAsync(Fault.None, token => other.SaveChangesAsync(token));
        Totals.StaleWrites++;
        Note($"another writer changed {before} -> {Label(doc)} {(failure is null ? "and saved" : "and failed: " + Describe(failure))}; "
            + "the writer's context keeps its stale copy");
    }

    // ----- the invariants -----

    private async Task ProcessDeletesStepAsync()
    {
        if (_transaction is not null)
        {
            Note("skipped: a transaction is open (its row locks would block the processor)");
            return;
        }

        await ProcessDeletesAndCheckAsync($"step {_step}");
    }

    private async Task ProcessDeletesAndCheckAsync(string when)
    {
        await using (var context = harness.CreateCheckContext())
        {
            var report = await context.ProcessPendingStorageDeletesAsync();
            Totals.ProcessRuns++;
            Note($"processed recorded deletes: {report.Deleted} deleted, {report.Failures.Count} failed");
        }

        var committed = await ReadCommittedAsync();
        var referenced = committed.Select(c => c.File.Key).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var key in harness.Recording.UploadedKeys.Distinct(StringComparer.Ordinal))
        {
            if (!referenced.Contains(key) && !_allowedOrphans.ContainsKey(key) && await harness.Recording.Real.ExistsAsync(key))
            {
                problems.Add($"object '{key}' ({NamesOf(key)}) is stored, no committed row references it, and no reconciliation reason covers it");
            }
        }

        if (problems.Count > 0)
        {
            throw Violation(
                2, "after processing recorded deletes every stored object is referenced (or an allowed orphan)",
                string.Join(Environment.NewLine, problems), when);
        }
    }

    private async Task<List<(string Place, FileObject File)>> ReadCommittedAsync()
    {
        await using var context = harness.CreateCheckContext();
        var docs = await context.Docs.AsNoTracking().ToListAsync();
        var notes = await context.Notes.AsNoTracking().ToListAsync();
        var places = new List<(string Place, FileObject File)>();
        foreach (var doc in docs)
        {
            Add($"{doc.Name}.Main", doc.Main);
            Add($"{doc.Name}.Extra", doc.Extra);
            for (var i = 0; i < doc.Attachments.Count; i++)
            {
                Add($"{doc.Name}.Attachments[{i}]", doc.Attachments[i]);
            }

            Add($"{doc.Name}.Stamp.File", doc.Stamp?.File);
        }

        foreach (var note in notes)
        {
            Add($"{docs.FirstOrDefault(d => d.Id == note.DocId)?.Name ?? "doc " + note.DocId}.Note.File", note.File);
        }

        return places;

        void Add(string place, FileObject? file)
        {
            if (file is not null)
            {
                places.Add((place, file));
            }
        }
    }

    private async Task CheckCommittedFilesAsync(string after)
    {
        var committed = await ReadCommittedAsync();
        var problems = new List<string>();
        foreach (var (place, file) in committed)
        {
            var problem = await CheckFileAsync(file);
            if (problem is not null)
            {
                problems.Add($"{place} references '{file.Key}' ({Label(file)}): {problem}");
            }
        }

        if (problems.Count > 0)
        {
            throw Violation(
                1, "every file a committed row references exists with its recorded size and checksum", string.Join(Environment.NewLine, problems), after);
        }

        var keys = committed.Select(c => c.File.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var released in _committedKeys.Where(k => !keys.Contains(k) && !_releasedKeys.Contains(k)))
        {
            _releasedKeys.Add(released);
        }

        _releasedKeys.RemoveAll(keys.Contains);
        _committedKeys = keys;
    }

    private async Task<string?> CheckFileAsync(FileObject file)
    {
        if (!file.IsStored)
        {
            return "the committed value is not a stored file";
        }

        if (!_contents.TryGetValue(file.Key, out var expected))
        {
            return "the test never created a file with this key";
        }

        byte[] bytes;
        try
        {
            await using var stream = await harness.Recording.Real.OpenReadAsync(file.Key);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            bytes = copy.ToArray();
        }
        catch (AlchemyTypes.Storage.StorageObjectNotFoundException)
        {
            return "the object is MISSING from storage (a lost file)";
        }

        var checksum = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (file.Size != bytes.Length || !string.Equals(file.Checksum, checksum, StringComparison.Ordinal))
        {
            var actual = expected.FirstOrDefault(e => e.Checksum == checksum).Name ?? "unknown content";
            return $"the row records {file.Size} bytes {file.Checksum}, storage holds {bytes.Length} bytes {checksum} (= {actual})";
        }

        if (!expected.Any(e => e.Checksum == checksum))
        {
            return "storage holds content the test never gave to this key";
        }

        return null;
    }

    private string NamesOf(string key) => _contents.TryGetValue(key, out var list) ? string.Join("/", list.Select(c => c.Name)) : "?";

    private ModelViolationException Violation(int number, string invariant, string details, string? after = null)
    {
        var text = new StringBuilder();
        text.AppendLine($"Invariant ({number}) violated — {invariant} — after {after ?? $"step {_step}"}:");
        text.AppendLine(details);
        text.AppendLine("Allowed orphans: " + (_allowedOrphans.Count == 0 ? "none" : ""));
        foreach (var (key, reason) in _allowedOrphans)
        {
            text.AppendLine($"  {key} ({NamesOf(key)}): {reason}");
        }

        text.AppendLine("What ran:");
        foreach (var line in _transcript)
        {
            text.AppendLine(line);
        }

        return new ModelViolationException(number, _step, text.ToString());
    }

    private static string Describe(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
        return e.InnerException is { } inner && e is not OperationCanceledException
            ? text + $" (inner {inner.GetType().Name}: {inner.Message.Split('\n')[0].Trim()})"
            : text;
    }
}

/// <summary>What a model test's runs did, in numbers.</summary>
public sealed class ModelTotals
{
    public long Sequences { get; set; }

    public long Steps { get; set; }

    public long ProcessRuns { get; set; }

    public long Reconciles { get; set; }

    public long OrphansReconciled { get; set; }

    public long BulkDeletedRows { get; set; }

    public long DetachedUpdates { get; set; }

    public long DetachedUpdateFailures { get; set; }

    public long StaleWrites { get; set; }

    public override string ToString()
        => $"{Sequences} sequences, {Steps} steps: {ProcessRuns} ProcessPendingStorageDeletes, {Reconciles} reconciles "
            + $"({OrphansReconciled} orphans collected), {BulkDeletedRows} rows bulk-deleted, {DetachedUpdates} detached updates ({DetachedUpdateFailures} failed), "
            + $"{StaleWrites} stale writes";
}
