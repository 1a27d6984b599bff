using System.Text;
using AlchemyTypes.FunctionalTests.Files;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Maintenance.Internal;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AlchemyTypes.FunctionalTests.Maintenance;

/// <summary>Reconcile, scrub and bulk delete against a real database and a real backend that lists.</summary>
public abstract class FileMaintenanceTests(ITestStore store, MaintenanceStorageFixture storage) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    protected IStorageBackend Files => storage.Files;

    /// <summary>A clock two days ahead, so every object written by the test is past the default 24-hour grace period.</summary>
    private static FileReconcileOptions Later(bool dryRun = false) => new()
    {
        DryRun = dryRun,
        TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(2)),
    };

    public async Task InitializeAsync()
    {
        await EmptyAsync(storage.Files);
        await EmptyAsync(storage.Secondary);
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Reconcile_after_ExecuteDelete_raw_SQL_DELETE_and_a_database_cascade_leaves_no_orphans_and_keeps_every_referenced_file()
    {
        var folders = await SeedAsync(folders: 3, papersPerFolder: 4);
        await using (var context = CreateContext())
        {
            // ExecuteDelete: EF Core never sees these rows, so their files stay behind.
            await context.Papers.Where(p => p.FolderId == folders[0] && p.Name.EndsWith("0")).ExecuteDeleteAsync();

            // Raw SQL.
            var table = context.Model.FindEntityType(typeof(Paper))!.GetTableName();
            var one = await context.Papers.Where(p => p.FolderId == folders[1]).Select(p => p.Id).FirstAsync();
            var param = context.Model.FindEntityType(typeof(Paper))!.FindProperty(nameof(Paper.Id))!.GetRelationalTypeMapping()
                .CreateParameter(context.Database.GetDbConnection().CreateCommand(), "id", one);
            var deletePaper = $"DELETE FROM {context.Quote(table!)} WHERE {context.Quote("Id")} = @id";
            await context.Database.ExecuteSqlRawAsync(deletePaper, param);

            // A database ON DELETE CASCADE: deleting the folder row by SQL removes its papers in the database only.
            var folderTable = context.Model.FindEntityType(typeof(Folder))!.GetTableName();
            var folderParam = context.Model.FindEntityType(typeof(Folder))!.FindProperty(nameof(Folder.Id))!.GetRelationalTypeMapping()
                .CreateParameter(context.Database.GetDbConnection().CreateCommand(), "id", folders[2]);
            var deleteFolder = $"DELETE FROM {context.Quote(folderTable!)} WHERE {context.Quote("Id")} = @id";
            await context.Database.ExecuteSqlRawAsync(deleteFolder, folderParam);
        }

        var before = await KeysAsync(Files);
        var referenced = await ReferencedKeysAsync();
        Assert.True(before.Except(referenced).Count() > 10, "the deletes above must have left orphans for the test to mean anything");

        await using (var context = CreateContext())
        {
            var dry = await context.ReconcileFilesAsync(Later(dryRun: true));
            Assert.Equal(before.Except(referenced).Count(), dry.OrphansFound);
            Assert.Equal(0, dry.OrphansRecorded);
            Assert.Equal(before, await KeysAsync(Files));

            var report = await context.ReconcileFilesAsync(Later());
            Assert.Equal(before.Except(referenced).Count(), report.OrphansDeleted);
            Assert.Equal(0, report.MissingCount);
            Assert.Empty(await context.Set<PendingStorageDelete>().ToListAsync());
        }

        Assert.Equal(referenced.Order(StringComparer.Ordinal), (await KeysAsync(Files)).Order(StringComparer.Ordinal));
        await AssertEveryRowReadableAsync();
        await using (var context = CreateContext())
        {
            var again = await context.ReconcileFilesAsync(Later());
            Assert.Equal(0, again.OrphansFound);
            Assert.Equal(0, again.MissingCount);
        }
    }

    [Fact]
    public async Task An_upload_that_never_committed_is_kept_within_the_grace_period_and_deleted_after_it()
    {
        await SeedAsync(folders: 1, papersPerFolder: 2);
        // What a process killed between upload and commit leaves: an object no row references.
        await Files.UploadAsync("0190aaaa/never-committed.bin", new MemoryStream(Encoding.UTF8.GetBytes("orphan")));

        await using var context = CreateContext();
        var now = await context.ReconcileFilesAsync(new FileReconcileOptions { GracePeriod = TimeSpan.FromHours(1) });
        Assert.Equal(0, now.OrphansFound);
        Assert.Equal(1, now.YoungObjectsKept);
        Assert.True(await Files.ExistsAsync("0190aaaa/never-committed.bin"));

        var later = await context.ReconcileFilesAsync(Later());
        Assert.Equal(1, later.OrphansFound);
        Assert.Equal("0190aaaa/never-committed.bin", Assert.Single(later.Orphans).Key);
        Assert.False(await Files.ExistsAsync("0190aaaa/never-committed.bin"));
        await AssertEveryRowReadableAsync();
    }

    [Fact]
    [Promise("P-MAINT-36")]
    public async Task Reconcile_never_deletes_an_object_written_under_an_orphans_key_after_the_listing()
    {
        await SeedAsync(folders: 1, papersPerFolder: 1);
        await Files.UploadAsync("0190cccc/reused.bin", new MemoryStream([1, 2, 3]));
        var newer = "a newer object under the same key"u8.ToArray();
        var hooked = new HookedStorageBackend(Files)
        {
            // Another writer stores a new object under the orphan's key between the listing and the delete.
            AfterList = () => Files.UploadAsync("0190cccc/reused.bin", new MemoryStream(newer), new StorageUploadOptions { Overwrite = true }),
        };
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", hooked).AddStorage("secondary", storage.Secondary));
        await using (var context = new MaintenanceContext(builder.Options))
        {
            var report = await context.ReconcileFilesAsync(Later());
            Assert.Equal("0190cccc/reused.bin", Assert.Single(report.Orphans).Key);
        }

        await using (var stream = await Files.OpenReadAsync("0190cccc/reused.bin"))
        {
            using var read = new MemoryStream();
            await stream.CopyToAsync(read);
            Assert.Equal(newer, read.ToArray());
        }

        await AssertEveryRowReadableAsync();
    }

    [Fact]
    public async Task A_row_whose_object_is_gone_is_reported_with_its_entity_row_and_key()
    {
        await SeedAsync(folders: 1, papersPerFolder: 2);
        await using var context = CreateContext();
        var paper = await context.Papers.AsNoTracking().OrderBy(p => p.Id).FirstAsync();
        await Files.DeleteAsync(paper.File!.Key);

        var report = await context.ReconcileFilesAsync(Later(dryRun: true));
        Assert.Equal(1, report.MissingCount);
        var missing = Assert.Single(report.Missing);
        Assert.Equal(paper.File.Key, missing.Key);
        Assert.Equal("files", missing.Backend);
        Assert.Equal(nameof(Paper), missing.Entity);
        Assert.Equal($"{nameof(Paper)}.{nameof(Paper.File)}", missing.Column);
        Assert.Contains(paper.Id.ToString(), missing.RowId, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ExecuteDeleteWithFiles_deletes_rows_and_their_files_with_no_reconcile()
    {
        var folders = await SeedAsync(folders: 2, papersPerFolder: 5);
        await using (var context = CreateContext())
        {
            var deleted = await context.Papers.ExecuteDeleteWithFilesAsync(p => p.FolderId == folders[0] || p.Name.EndsWith("1"));
            Assert.Equal(6, deleted);
            Assert.Equal(4, await context.Papers.CountAsync());
            Assert.Empty(await context.Set<PendingStorageDelete>().ToListAsync());
        }

        var referenced = await ReferencedKeysAsync();
        Assert.Equal(referenced.Order(StringComparer.Ordinal), (await KeysAsync(Files)).Order(StringComparer.Ordinal));
        await AssertEveryRowReadableAsync();
    }

    [Fact]
    [Promise("P-MAINT-37")]
    public async Task ExecuteDeleteWithFiles_deletes_only_the_stored_version_its_rows_recorded()
    {
        await SeedAsync(folders: 1, papersPerFolder: 1);
        await using var context = CreateContext();
        var paper = await context.Papers.AsNoTracking().SingleAsync();
        // Another writer stored a new object under the row's key (the library never does): its delete must not hit it.
        var newer = "stored under the same key after the row was written"u8.ToArray();
        await Files.UploadAsync(paper.File!.Key, new MemoryStream(newer), new StorageUploadOptions { Overwrite = true });

        Assert.Equal(1, await context.Papers.ExecuteDeleteWithFilesAsync());
        Assert.True(await Files.ExistsAsync(paper.File.Key));
        Assert.False(await Files.ExistsAsync(paper.Attachments[0].Key));
        Assert.Empty(await context.Set<PendingStorageDelete>().ToListAsync());
    }

    [Fact]
    public async Task ExecuteDeleteWithFiles_in_a_rolled_back_transaction_keeps_rows_and_files()
    {
        await SeedAsync(folders: 1, papersPerFolder: 3);
        var before = await KeysAsync(Files);
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            Assert.Equal(3, await context.Papers.ExecuteDeleteWithFilesAsync());
            await transaction.RollbackAsync();
        }

        await using (var context = CreateContext())
        {
            Assert.Equal(3, await context.Papers.CountAsync());
            Assert.Empty(await context.Set<PendingStorageDelete>().ToListAsync());
        }

        Assert.Equal(before, await KeysAsync(Files));
        await AssertEveryRowReadableAsync();
    }

    [Fact]
    public async Task Scrub_finds_an_object_altered_behind_the_librarys_back()
    {
        await SeedAsync(folders: 1, papersPerFolder: 3);
        await using var context = CreateContext();
        var clean = await context.ScrubFilesAsync();
        Assert.Equal(0, clean.MismatchCount);
        Assert.Equal(clean.FilesSeen, clean.FilesVerified);
        Assert.True(clean.FilesVerified >= 9);

        var paper = await context.Papers.AsNoTracking().OrderBy(p => p.Id).FirstAsync();
        if (Files is LocalFileSystemStorageBackend local)
        {
            // On disk, as another process or a failing disk would: same size, one byte changed.
            var path = Path.Combine(local.RootDirectory, paper.File!.Key);
            var bytes = await File.ReadAllBytesAsync(path);
            bytes[0] ^= 0xFF;
            await File.WriteAllBytesAsync(path, bytes);
        }
        else
        {
            await Files.UploadAsync(paper.File!.Key, new MemoryStream(Encoding.UTF8.GetBytes("replaced behind the library's back")), new StorageUploadOptions { Overwrite = true });
        }

        var report = await context.ScrubFilesAsync(new FileScrubOptions { MaxBytesPerSecond = 1_000_000 });
        Assert.Equal(1, report.MismatchCount);
        var mismatch = Assert.Single(report.Mismatches);
        Assert.Equal(paper.File.Key, mismatch.Key);
        Assert.Equal(paper.File.Checksum, mismatch.ExpectedChecksum);
        Assert.NotEqual(mismatch.ExpectedChecksum, mismatch.ActualChecksum);
        Assert.Contains(paper.Id.ToString(), mismatch.RowId, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bad_input_is_a_typed_error_that_says_what_to_do()
    {
        await using var context = CreateContext();
        var grace = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.ReconcileFilesAsync(new FileReconcileOptions { GracePeriod = TimeSpan.Zero }));
        Assert.Contains("grace period", grace.Message, StringComparison.OrdinalIgnoreCase);
        var unknown = await Assert.ThrowsAsync<AlchemyTypesConfigurationException>(() => context.ReconcileFilesAsync(new FileReconcileOptions { Backends = ["nope"] }));
        Assert.Contains("'nope'", unknown.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.ScrubFilesAsync(new FileScrubOptions { SampleRate = 0 }));

        // A backend written before listing existed: the default interface member says it cannot list.
        var unlisted = new FaultyStorageBackend(new InMemoryStorageBackend());
        Assert.False(((IStorageBackend)unlisted).CanList);
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", storage.Files).AddStorage("secondary", storage.Secondary).AddStorage("old", unlisted));
        await using var withOld = new MaintenanceContext(builder.Options);
        var capability = await Assert.ThrowsAsync<StorageCapabilityException>(() => withOld.ReconcileFilesAsync(new FileReconcileOptions { Backends = ["old"] }));
        Assert.Contains("cannot list", capability.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosted_maintenance_processes_deletes_and_reconciles()
    {
        await SeedAsync(folders: 1, papersPerFolder: 2);
        await Files.UploadAsync("0190bbbb/orphan.bin", new MemoryStream([1, 2, 3]));
        await using var context = CreateContext();
        var options = new FileMaintenanceServiceOptions { Reconcile = Later() };
        var run = await FileMaintenanceService<MaintenanceContext>.RunOnceAsync(context, options, NullLogger.Instance, CancellationToken.None);
        Assert.True(run.Ran);
        Assert.Equal(1, run.Reconcile!.OrphansDeleted);
        Assert.False(await Files.ExistsAsync("0190bbbb/orphan.bin"));
    }

    [Fact]
    [Promise("P-MAINT-50")]
    public async Task Two_maintenance_runs_at_once_never_both_run_and_the_lease_is_freed_afterwards()
    {
        await SeedAsync(folders: 1, papersPerFolder: 1);
        var listing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hooked = new HookedStorageBackend(Files)
        {
            AfterList = async () =>
            {
                listing.TrySetResult();
                await gate.Task;
            },
        };
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", hooked).AddStorage("secondary", storage.Secondary));
        var options = new FileMaintenanceServiceOptions { Reconcile = Later() };

        // The first instance is inside its run (reconciling) when the second starts its own.
        await using var first = new MaintenanceContext(builder.Options);
        var firstRun = Task.Run(() => FileMaintenanceService<MaintenanceContext>.RunOnceAsync(first, options, NullLogger.Instance, CancellationToken.None));
        await listing.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await using (var second = CreateContext())
        {
            var skipped = await FileMaintenanceService<MaintenanceContext>.RunOnceAsync(second, options, NullLogger.Instance, CancellationToken.None);
            Assert.False(skipped.Ran);
            Assert.Equal(0, (await second.GetPendingStorageDeleteBacklogAsync()).Count); // the lease row is not a pending delete
        }

        gate.SetResult();
        Assert.True((await firstRun).Ran);
        await using var after = CreateContext();
        Assert.Equal(0, await after.Set<PendingStorageDelete>().CountAsync()); // freed: no lease row is left
        Assert.True((await FileMaintenanceService<MaintenanceContext>.RunOnceAsync(after, options, NullLogger.Instance, CancellationToken.None)).Ran);
    }

    [Fact]
    [Promise("P-MAINT-51")]
    public async Task A_lease_left_by_a_crashed_run_blocks_others_until_it_runs_out()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", storage.Files).AddStorage("secondary", storage.Secondary).UseTimeProvider(clock));
        var options = new FileMaintenanceServiceOptions { ReconcileFiles = false };

        // A run that crashed: its lease row stays (never freed).
        await using (var crashed = new MaintenanceContext(builder.Options))
        {
            var lease = await MaintenanceLock.TryAcquireAsync(crashed, NullLogger.Instance, CancellationToken.None);
            Assert.NotNull(lease);
            lease.Dispose(); // frees memory only, as a killed process would: the row stays
        }

        await using var other = new MaintenanceContext(builder.Options);
        Assert.False((await FileMaintenanceService<MaintenanceContext>.RunOnceAsync(other, options, NullLogger.Instance, CancellationToken.None)).Ran);
        var processed = await other.ProcessPendingStorageDeletesAsync(); // the lease row is never processed as a delete
        Assert.Equal((0, 0), (processed.Deleted, processed.Failed));
        clock.Now += MaintenanceLock.Duration + TimeSpan.FromSeconds(1);
        Assert.True((await FileMaintenanceService<MaintenanceContext>.RunOnceAsync(other, options, NullLogger.Instance, CancellationToken.None)).Ran);
    }

    [Theory]
    [Promise("P-MAINT-52")]
    [InlineData(0.000_001)]
    [InlineData(30)]
    [InlineData(59.9)]
    public async Task A_grace_period_under_one_hour_is_refused_with_guidance(double minutes)
    {
        await using var context = CreateContext();
        var options = new FileReconcileOptions { GracePeriod = TimeSpan.FromMinutes(minutes) };
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.ReconcileFilesAsync(options));
        Assert.Equal(nameof(FileReconcileOptions.GracePeriod), error.ParamName);
        Assert.Contains("at least 1 hour", error.Message, StringComparison.Ordinal);
        Assert.Contains("TimeProvider", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileMaintenanceServiceOptions { Reconcile = options }.Validate());
        Assert.Equal(TimeSpan.FromHours(1), FileReconcileOptions.MinimumGracePeriod);
    }

    protected MaintenanceContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", storage.Files).AddStorage("secondary", storage.Secondary));
        return new MaintenanceContext(builder.Options);
    }

    protected TestDatabase Database => _database;

    private async Task<List<Guid>> SeedAsync(int folders, int papersPerFolder)
    {
        var ids = new List<Guid>();
        await using var context = CreateContext();
        for (var f = 0; f < folders; f++)
        {
            var folder = new Folder { Name = $"folder {f}", Cover = FileObject.FromBytes(Encoding.UTF8.GetBytes($"cover {f}"), "cover.txt") };
            for (var p = 0; p < papersPerFolder; p++)
            {
                folder.Papers.Add(new Paper
                {
                    Name = $"paper {f}-{p}",
                    File = FileObject.FromBytes(Encoding.UTF8.GetBytes($"paper {f}-{p}"), "paper.txt"),
                    Attachments = [FileObject.FromBytes(Encoding.UTF8.GetBytes($"a {f}-{p}"), "a.txt"), FileObject.FromBytes(Encoding.UTF8.GetBytes($"b {f}-{p}"), "b.txt")],
                });
            }

            context.Folders.Add(folder);
            await context.SaveChangesAsync();
            ids.Add(folder.Id);
        }

        return ids;
    }

    private async Task<HashSet<string>> ReferencedKeysAsync()
    {
        await using var context = CreateContext();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in await context.Folders.AsNoTracking().ToListAsync())
        {
            keys.Add(folder.Cover!.Key);
        }

        foreach (var paper in await context.Papers.AsNoTracking().ToListAsync())
        {
            keys.Add(paper.File!.Key);
            keys.UnionWith(paper.Attachments.Select(a => a.Key));
        }

        return keys;
    }

    private async Task AssertEveryRowReadableAsync()
    {
        await using var context = CreateContext();
        foreach (var paper in await context.Papers.AsNoTracking().ToListAsync())
        {
            Assert.Equal($"paper {paper.Name[6..]}", Encoding.UTF8.GetString(await paper.File!.GetBytesAsync()));
            foreach (var attachment in paper.Attachments)
            {
                Assert.Equal(attachment.Size, (await attachment.GetBytesAsync()).Length);
            }
        }
    }

    private static async Task<HashSet<string>> KeysAsync(IStorageBackend backend)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in backend.ListAsync())
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    private static async Task EmptyAsync(IStorageBackend backend)
    {
        var keys = await KeysAsync(backend);
        if (keys.Count > 0)
        {
            await backend.DeleteManyAsync(keys);
        }
    }
}

public sealed class SqliteLocalFileMaintenanceTests(LocalMaintenanceStorageFixture storage)
    : FileMaintenanceTests(new SqliteTestStore(), storage), IClassFixture<LocalMaintenanceStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalFileMaintenanceTests(PostgresServerFixture server, LocalMaintenanceStorageFixture storage)
    : FileMaintenanceTests(new PostgresTestStore(server), storage), IClassFixture<LocalMaintenanceStorageFixture>;

[Collection(S3Collection.Name)]
public sealed class SqliteS3FileMaintenanceTests(S3MaintenanceStorageFixture storage)
    : FileMaintenanceTests(new SqliteTestStore(), storage), IClassFixture<S3MaintenanceStorageFixture>;

[Collection(PostgresS3Collection.Name)]
public sealed class PostgresS3FileMaintenanceTests(PostgresServerFixture server, S3MaintenanceStorageFixture storage)
    : FileMaintenanceTests(new PostgresTestStore(server), storage), IClassFixture<S3MaintenanceStorageFixture>;

/// <summary>The whole maintenance suite on MariaDB, and what MySql.EntityFrameworkCore alone would get wrong there.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLocalFileMaintenanceTests(MariaDbServerFixture server, LocalMaintenanceStorageFixture storage)
    : FileMaintenanceTests(new MariaDbTestStore(server), storage), IClassFixture<LocalMaintenanceStorageFixture>
{
    [Fact]
    [Promise("P-MAINT-70")]
    public async Task Hosted_maintenance_processes_recorded_deletes_and_reconciles_on_MariaDB()
    {
        FileObject kept;
        FileObject replaced;
        await using (var context = CreateContext())
        {
            var folder = new Folder { Name = "f", Cover = FileObject.FromBytes("cover"u8, "cover.txt") };
            context.Add(folder);
            await context.SaveChangesAsync();
            kept = folder.Cover!;
            replaced = kept;
        }

        // A replaced file whose delete failed stays recorded (the backend is down during the save).
        var down = new FaultyStorageBackend(Files) { FailDeletes = true };
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        Database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", down).AddStorage("secondary", storage.Secondary));
        await using (var context = new MaintenanceContext(builder.Options))
        {
            var folder = await context.Folders.SingleAsync();
            folder.Cover = FileObject.FromBytes("cover v2"u8, "cover.txt");
            await context.SaveChangesAsync();
            kept = folder.Cover;
        }

        // An upload that never committed, two days old by the reconcile clock.
        await Files.UploadAsync("0190eeee/never-committed.bin", new MemoryStream([1, 2, 3]));
        Assert.True(await Files.ExistsAsync(replaced.Key));

        await using (var context = CreateContext())
        {
            Assert.Equal(1, await context.Set<PendingStorageDelete>().CountAsync());
            var options = new FileMaintenanceServiceOptions
            {
                Reconcile = new FileReconcileOptions { TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(2)) },
            };
            var run = await FileMaintenanceService<MaintenanceContext>.RunOnceAsync(context, options, NullLogger.Instance, CancellationToken.None);
            Assert.True(run.Ran);
            Assert.Equal(1, run.Deletes!.Deleted);
            Assert.Empty(run.Deletes.Failures);
            Assert.Equal(1, run.Reconcile!.OrphansDeleted);
            Assert.Equal(0, await context.Set<PendingStorageDelete>().CountAsync());
        }

        Assert.False(await Files.ExistsAsync(replaced.Key));
        Assert.False(await Files.ExistsAsync("0190eeee/never-committed.bin"));
        Assert.True(await Files.ExistsAsync(kept.Key));
    }

    [Fact]
    [Promise("P-MAINT-71")]
    public async Task EF_Core_ExecuteDelete_and_ExecuteDeleteWithFilesAsync_run_on_MariaDB()
    {
        Guid folderId;
        await using (var context = CreateContext())
        {
            var folder = new Folder { Name = "f" };
            for (var i = 0; i < 6; i++)
            {
                folder.Papers.Add(new Paper { Name = $"p{i}", File = FileObject.FromBytes([(byte)i], $"p{i}.bin") });
            }

            context.Add(folder);
            await context.SaveChangesAsync();
            folderId = folder.Id;
        }

        await using (var context = CreateContext())
        {
            var papers = await context.Papers.AsNoTracking().OrderBy(p => p.Name).ToListAsync();

            // MySql.EntityFrameworkCore writes DELETE FROM `Papers` AS `p` …, a syntax error on MariaDB 10.11 without AddAlchemyTypes.
            Assert.Equal(2, await context.Papers.Where(p => p.Name == "p0" || p.Name == "p1").ExecuteDeleteAsync());
            Assert.Equal(3, await context.Papers.ExecuteDeleteWithFilesAsync(p => p.FolderId == folderId && p.Name != "p5"));
            Assert.Equal(["p5"], await context.Papers.Select(p => p.Name).ToListAsync());
            Assert.Equal(0, await context.Set<PendingStorageDelete>().CountAsync());
            for (var i = 2; i < 5; i++)
            {
                Assert.False(await Files.ExistsAsync(papers[i].File!.Key), $"p{i}'s file must be deleted with its row");
            }

            Assert.True(await Files.ExistsAsync(papers[0].File!.Key), "ExecuteDelete is EF Core's: it leaves the files to reconcile");
            Assert.True(await Files.ExistsAsync(papers[5].File!.Key));
        }
    }

    [Fact]
    [Promise("P-MAINT-72")]
    public async Task ProcessPendingStorageDeletes_claims_batches_and_keeps_failed_rows_on_MariaDB()
    {
        var keys = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            var key = $"0190ffff/batch-{i:D3}.bin";
            await Files.UploadAsync(key, new MemoryStream([(byte)i]));
            keys.Add(key);
        }

        // Rows added through SaveChanges are run right after the commit: with deletes failing there, they stay recorded.
        var down = new FaultyStorageBackend(Files) { FailDeletes = true };
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        Database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", down).AddStorage("secondary", storage.Secondary));
        await using (var context = new MaintenanceContext(builder.Options))
        {
            foreach (var key in keys)
            {
                context.Add(new PendingStorageDelete { Id = Guid.NewGuid(), Backend = "files", Key = key, EnqueuedAt = DateTime.UtcNow });
            }

            context.Add(new PendingStorageDelete { Id = Guid.NewGuid(), Backend = "gone", Key = "k", EnqueuedAt = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        Assert.True(await Files.ExistsAsync(keys[0]));

        await using (var context = CreateContext())
        {
            var report = await context.ProcessPendingStorageDeletesAsync(batchSize: 50);
            Assert.Equal(120, report.Deleted);
            Assert.Equal("gone", Assert.Single(report.Failures).Backend);
            var left = await context.Set<PendingStorageDelete>().AsNoTracking().SingleAsync();
            Assert.Equal((null, "gone"), (left.ClaimToken, left.Backend));
            Assert.True(left.Attempts >= 1);
            Assert.Contains("not registered", left.LastError, StringComparison.Ordinal);
        }

        foreach (var key in keys)
        {
            Assert.False(await Files.ExistsAsync(key));
        }
    }
}
