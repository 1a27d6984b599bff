using System.Text;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Maintenance;

/// <summary>
/// <c>MoveFilesAsync</c> against the other actors of a real deployment: a writer that loaded a row before the move and saves
/// it afterwards, recorded deletes that failed, moves back and forth, and reconciliation running while a move resumes. Each
/// test ends with every row's files readable and, once the holds and grace periods are over, nothing left unreferenced.
/// Local disk ("local") and the S3 test server ("s3"), on a real database.
/// </summary>
public abstract class FileMoveSafetyTests(ITestStore store, LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await MoveTestFiles.EmptyAsync(local.Files);
        await MoveTestFiles.EmptyAsync(s3.Files);
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await MoveTestFiles.EmptyAsync(s3.Files);
        await MoveTestFiles.EmptyAsync(local.Files);
        await _database.DisposeAsync();
    }

    [Fact]
    [Promise("P-MAINT-60", "P-LIFE-60")]
    public async Task A_writer_that_loaded_rows_before_the_move_and_saves_them_afterwards_loses_no_file()
    {
        var paperId = await SeedPaperAsync("a.txt", "b.txt");
        var folderId = await SeedFolderAsync("cover.txt");

        // Loaded before the move: a tracked paper (its list will be edited in place) and a detached folder (saved with Update()).
        await using var writer = CreateContext();
        var paper = await writer.Papers.SingleAsync(p => p.Id == paperId);
        Folder detached;
        await using (var reader = CreateContext())
        {
            detached = await reader.Folders.AsNoTracking().SingleAsync(f => f.Id == folderId);
        }

        await using (var mover = CreateContext())
        {
            var report = await mover.MoveFilesAsync(Options());
            Assert.Equal(3, report.FilesMoved);
        }

        // The writer's saves write back the JSON it loaded: the list's old elements and the folder's cover name "local".
        paper.Attachments.Add(FileObject.FromBytes("c.txt"u8, "c.txt"));
        await writer.SaveChangesAsync();
        await using (var updater = CreateContext())
        {
            detached.Name = "renamed";
            updater.Update(detached);
            try
            {
                await updater.SaveChangesAsync();
            }
            catch (DbUpdateConcurrencyException)
            {
                // The save lifecycle may refuse a detached Update() whose row no longer holds its file: nothing is written.
            }
        }

        await AssertEveryFileReadableAsync();
        await ProcessAndReconcileLaterAsync();
        await AssertEveryFileReadableAsync();
        await AssertNothingUnreferencedAsync();
    }

    [Fact]
    [Promise("P-LIFE-61")]
    public async Task A_writer_that_loaded_a_row_with_concurrency_tokens_before_the_move_gets_a_concurrency_conflict()
    {
        Guid id;
        await using (var context = CreateContext())
        {
            var contract = new Contract { Name = "lease", Scan = Named("scan.txt") };
            context.Contracts.Add(contract);
            await context.SaveChangesAsync();
            id = contract.Id;
        }

        await using var writer = CreateContext();
        var stale = await writer.Contracts.SingleAsync(c => c.Id == id);
        await using (var mover = CreateContext())
        {
            Assert.Equal(1, (await mover.MoveFilesAsync(Options())).FilesMoved);
        }

        // Both tokens changed with the rewrite: the stale save is refused, as after any concurrent update.
        stale.Name = "renamed";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => writer.SaveChangesAsync());
        await using (var reader = CreateContext())
        {
            var row = await reader.Contracts.AsNoTracking().SingleAsync(c => c.Id == id);
            Assert.Equal("s3", row.Scan!.Backend);
            Assert.NotEqual(stale.Version, row.Version);
            Assert.Equal(stale.Revision + 1, row.Revision);
        }

        await AssertEveryFileReadableAsync();
        await ProcessAndReconcileLaterAsync();
        await AssertEveryFileReadableAsync();
        await AssertNothingUnreferencedAsync();
    }

    [Fact]
    [Promise("P-MAINT-61")]
    public async Task Running_a_move_again_never_uses_a_copy_whose_recorded_delete_failed()
    {
        var paperId = await SeedPaperAsync("a.txt", "b.txt");
        var changed = 0;
        var target = new HookedStorageBackend(s3.Files)
        {
            FailDeletes = true,

            // A user adds an attachment after the move read the row: the rewrite finds the row changed and drops the copies,
            // whose deletes fail (the store is unreachable for deletes) and stay recorded.
            BeforeUpload = async _ =>
            {
                if (Interlocked.Exchange(ref changed, 1) == 0)
                {
                    await using var user = CreateContext();
                    var paper = await user.Papers.SingleAsync(p => p.Id == paperId);
                    paper.Attachments.Add(FileObject.FromBytes("c.txt"u8, "c.txt"));
                    await user.SaveChangesAsync();
                }
            },
        };
        await using (var context = CreateContext(target: target))
        {
            var first = await context.MoveFilesAsync(Options(copies: 1));
            Assert.Equal(0, first.FilesMoved);
            Assert.Equal(2, first.RowsChanged);
            Assert.Equal(2, first.DeleteFailures.Count);
        }

        target.FailDeletes = false;
        await using (var context = CreateContext())
        {
            var second = await context.MoveFilesAsync(Options());
            Assert.Equal(3, second.FilesMoved);
        }

        await ProcessAsync();
        await AssertEveryFileReadableAsync();
        await ProcessAndReconcileLaterAsync();
        await AssertEveryFileReadableAsync();
        await AssertNothingUnreferencedAsync();
    }

    [Fact]
    [Promise("P-MAINT-62")]
    public async Task Moving_there_and_back_with_a_failed_delete_of_the_old_object_keeps_the_file()
    {
        await SeedFolderAsync("cover.txt");
        var source = new HookedStorageBackend(local.Files) { FailDeletes = true };
        await using (var context = CreateContext(source: source))
        {
            Assert.Equal(1, (await context.MoveFilesAsync(Options())).FilesMoved);
        }

        source.FailDeletes = false;
        await using (var context = CreateContext(source: source))
        {
            Assert.Equal(1, (await context.MoveFilesAsync(Options(from: "s3", to: "local"))).FilesMoved);
        }

        await ProcessAsync();
        await AssertEveryFileReadableAsync();
        await ProcessAndReconcileLaterAsync();
        await AssertEveryFileReadableAsync();
        await AssertNothingUnreferencedAsync();
    }

    [Fact]
    [Promise("P-MAINT-63")]
    public async Task Reconcile_running_while_an_interrupted_move_resumes_deletes_no_file_the_move_uses()
    {
        var folderId = await SeedFolderAsync("cover.txt");
        FileObject cover;
        await using (var context = CreateContext())
        {
            cover = (await context.Folders.AsNoTracking().SingleAsync(f => f.Id == folderId)).Cover!;
        }

        // What a run killed between copy and commit leaves on the target, long enough ago for reconcile to call it an orphan.
        await using (var content = await local.Files.OpenReadAsync(cover.Key))
        {
            await s3.Files.UploadAsync(cover.Key, content);
        }

        // Reconcile read the rows (the folder on "local") and listed "s3"; the move resumes before reconcile deletes.
        var resumed = 0;
        var listed = new HookedStorageBackend(s3.Files)
        {
            AfterList = async () =>
            {
                if (Interlocked.Exchange(ref resumed, 1) == 0)
                {
                    await using var mover = CreateContext();
                    Assert.Equal(1, (await mover.MoveFilesAsync(Options())).FilesMoved);
                }
            },
        };
        await using (var context = CreateContext(target: listed))
        {
            await context.ReconcileFilesAsync(Later());
        }

        Assert.Equal(1, resumed);
        await AssertEveryFileReadableAsync();
        await ProcessAndReconcileLaterAsync();
        await AssertEveryFileReadableAsync();
        await AssertNothingUnreferencedAsync();
    }

    private static FileMoveOptions Options(string from = "local", string to = "s3", int copies = 4)
        => new() { FromBackend = from, ToBackend = to, BatchSize = 100, MaxConcurrentCopies = copies };

    /// <summary>A clock past every hold and grace period the tests use (default 24 hours).</summary>
    private static FileReconcileOptions Later() => new() { TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(3)) };

    private MaintenanceContext CreateContext(IStorageBackend? source = null, IStorageBackend? target = null)
    {
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("local", source ?? local.Files).AddStorage("s3", target ?? s3.Files));
        return new MaintenanceContext(builder.Options);
    }

    /// <summary>Files whose content is their own name, so that reading one back says whether it is the right one.</summary>
    private static FileObject Named(string name) => FileObject.FromBytes(Encoding.UTF8.GetBytes(name), name);

    private async Task<Guid> SeedPaperAsync(params string[] attachments)
    {
        await using var context = CreateContext();
        var folder = new Folder { Name = "papers" };
        var paper = new Paper { Name = "paper", Attachments = [.. attachments.Select(Named)] };
        folder.Papers.Add(paper);
        context.Folders.Add(folder);
        await context.SaveChangesAsync();
        return paper.Id;
    }

    private async Task<Guid> SeedFolderAsync(string cover)
    {
        await using var context = CreateContext();
        var folder = new Folder { Name = "folder", Cover = Named(cover) };
        context.Folders.Add(folder);
        await context.SaveChangesAsync();
        return folder.Id;
    }

    private async Task ProcessAsync()
    {
        await using var context = CreateContext();
        await context.ProcessPendingStorageDeletesAsync();
    }

    private async Task ProcessAndReconcileLaterAsync()
    {
        await ProcessAsync();
        await using var context = CreateContext();
        var report = await context.ReconcileFilesAsync(Later());
        Assert.Equal(0, report.MissingCount);
        Assert.Empty(report.DeleteFailures);
    }

    private async Task<List<(string Backend, FileObject File)>> ReferencesAsync()
    {
        await using var context = CreateContext();
        var files = new List<(string, FileObject)>();
        foreach (var folder in await context.Folders.AsNoTracking().ToListAsync())
        {
            files.AddRange(folder.Cover is null ? [] : [(folder.Cover.Backend!, folder.Cover)]);
        }

        foreach (var paper in await context.Papers.AsNoTracking().ToListAsync())
        {
            files.AddRange(paper.File is null ? [] : [(paper.File.Backend!, paper.File)]);
            files.AddRange(paper.Attachments.Select(a => (a.Backend!, a)));
        }

        foreach (var contract in await context.Contracts.AsNoTracking().ToListAsync())
        {
            files.AddRange(contract.Scan is null ? [] : [(contract.Scan.Backend!, contract.Scan)]);
        }

        return files;
    }

    /// <summary>Every file of every row opens and holds its own name.</summary>
    private async Task AssertEveryFileReadableAsync()
    {
        var lost = new List<string>();
        foreach (var (backend, file) in await ReferencesAsync())
        {
            try
            {
                var text = Encoding.UTF8.GetString(await file.GetBytesAsync());
                if (text != file.FileName)
                {
                    lost.Add($"{backend}:{file.Key} holds '{text}', not '{file.FileName}'");
                }
            }
            catch (StorageObjectNotFoundException)
            {
                lost.Add($"{backend}:{file.Key} ({file.FileName}) is missing");
            }
        }

        Assert.True(lost.Count == 0, "rows point at missing or wrong objects: " + string.Join("; ", lost));
    }

    /// <summary>Every object either backend holds is referenced by a row.</summary>
    private async Task AssertNothingUnreferencedAsync()
    {
        var referenced = (await ReferencesAsync()).Select(r => $"{r.Backend}:{r.File.Key}").ToHashSet(StringComparer.Ordinal);
        var stored = (await MoveTestFiles.KeysAsync(local.Files)).Select(k => "local:" + k)
            .Concat((await MoveTestFiles.KeysAsync(s3.Files)).Select(k => "s3:" + k)).ToList();
        var unreferenced = stored.Where(s => !referenced.Contains(s)).ToList();
        Assert.True(unreferenced.Count == 0, "objects no row references: " + string.Join("; ", unreferenced));
    }
}

/// <summary>Listing and emptying a backend.</summary>
internal static class MoveTestFiles
{
    public static async Task<List<string>> KeysAsync(IStorageBackend backend)
    {
        var keys = new List<string>();
        await foreach (var item in backend.ListAsync())
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    public static async Task EmptyAsync(IStorageBackend backend)
    {
        var keys = await KeysAsync(backend);
        if (keys.Count > 0)
        {
            await backend.DeleteManyAsync(keys);
        }
    }
}

[Collection(S3Collection.Name)]
public sealed class SqliteFileMoveSafetyTests(LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3)
    : FileMoveSafetyTests(new SqliteTestStore(), local, s3), IClassFixture<LocalMaintenanceStorageFixture>, IClassFixture<S3MaintenanceStorageFixture>;

[Collection(PostgresS3Collection.Name)]
public sealed class PostgresFileMoveSafetyTests(PostgresServerFixture server, LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3)
    : FileMoveSafetyTests(new PostgresTestStore(server), local, s3), IClassFixture<LocalMaintenanceStorageFixture>,
        IClassFixture<S3MaintenanceStorageFixture>;
