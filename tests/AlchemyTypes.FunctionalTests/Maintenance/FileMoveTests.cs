using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Maintenance.Internal;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Maintenance;

/// <summary>
/// <c>MoveFilesAsync</c> from the local backend ("local") to the S3 test server ("s3"), on a real database: interrupted and
/// resumed, with rows read while it runs; checksum mismatches, rows changed during the move and bad input.
/// </summary>
public abstract class FileMoveTests(ITestStore store, LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3, int fileCount) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await EmptyAsync(local.Files);
        await EmptyAsync(s3.Files);
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        // Leave the bucket empty: the fixture's own clean-up fails on s3rver with thousands of objects left in it.
        await EmptyAsync(s3.Files);
        await EmptyAsync(local.Files);
        await _database.DisposeAsync();
    }

    [Fact]
    [Promise("P-MAINT-30", "P-MAINT-31", "P-MAINT-32")]
    public async Task Moving_files_local_to_S3_interrupted_half_way_and_resumed_keeps_every_row_readable_and_leaves_nothing_on_the_old_backend()
    {
        var ids = await SeedFoldersAsync(fileCount);
        var papers = await SeedPapersAsync(5); // written by SaveChanges: a FileObject and a FileObjectList each, plus a folder cover
        var total = fileCount + 1 + (papers * 3);
        Assert.Equal(total, (await KeysAsync(local.Files)).Count);
        Assert.Empty(await KeysAsync(s3.Files));

        // Readers run for the whole move: every row they read must give its content back, whichever backend it names.
        using var stopReaders = new CancellationTokenSource();
        var reads = 0;
        var readFailures = new ConcurrentQueue<string>();
        var readers = Task.Run(() => ReadWhileMovingAsync(ids, stopReaders.Token, () => Interlocked.Increment(ref reads), readFailures.Enqueue));

        // First run: cancelled from the progress callback once half the files are on S3.
        using var cancel = new CancellationTokenSource();
        var reports = new List<FileMaintenanceProgress>();
        var half = new SyncProgress(p =>
        {
            reports.Add(p);
            if (p.Processed >= fileCount / 2)
            {
                cancel.Cancel();
            }
        });
        await using (var context = CreateContext())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.MoveFilesAsync(Options(), half, cancel.Token));
        }

        Assert.Contains(reports, r => r.Operation == "move" && r.Backend == "s3");
        var (onLocal, onS3) = await CountRowsByBackendAsync();
        Assert.True(onS3 >= fileCount / 2 && onLocal > 0, $"the first run must stop half-way: {onS3} rows on s3, {onLocal} on local");
        var movedFirst = (await KeysAsync(s3.Files)).Count;
        Assert.Equal(total, (await KeysAsync(local.Files)).Count); // the old objects are held, not deleted
        await AssertEveryFolderReadableAsync(ids);

        // What a run killed between copy and commit leaves: a verified copy on the target of a row still on the old backend.
        var leftover = await FirstFolderOnAsync("local");
        await using (var content = await local.Files.OpenReadAsync(leftover.Cover!.Key))
        {
            await s3.Files.UploadAsync(leftover.Cover.Key, content);
        }

        // Resume: continues where it stopped; the left-over copy is never adopted (nothing proves no delete is about to remove
        // it): that file is copied under a new key, and the left-over copy is an orphan for reconciliation.
        FileMoveReport report;
        await using (var context = CreateContext())
        {
            report = await context.MoveFilesAsync(Options());
        }

        await stopReaders.CancelAsync();
        await readers;
        Assert.True(reads > 0, "the readers must have read rows during the move");
        Assert.Empty(readFailures);
        Assert.Equal(total - movedFirst, report.FilesMoved);
        Assert.Equal(report.FilesFound, report.FilesMoved);
        Assert.Equal(1, report.NewKeys);
        Assert.Equal(report.FilesMoved, report.OldObjectsHeld);
        Assert.Equal(0, report.ChecksumMismatches + report.Conflicts + report.RowsChanged);
        Assert.Empty(report.Skipped);
        Assert.Empty(report.DeleteFailures);

        // The old objects are held (kept for writers that loaded their rows before the move); once the holds are over,
        // reconciliation deletes them and the left-over copy: nothing left on the old backend, everything on the new one.
        await using (var context = CreateContext())
        {
            var processed = await context.ProcessPendingStorageDeletesAsync();
            Assert.Equal(0, processed.Failed);
            Assert.All(await context.Set<PendingStorageDelete>().ToListAsync(), r => Assert.Equal(DeleteRecorder.MoveHold, r.ClaimToken));
            Assert.Equal(total, (await KeysAsync(local.Files)).Count);
            var reconcile = await context.ReconcileFilesAsync(
                new FileReconcileOptions { TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(3)) });
            Assert.Equal(total + 1, reconcile.OrphansDeleted);
            Assert.Equal(0, reconcile.MissingCount);
            Assert.Empty(await context.Set<PendingStorageDelete>().ToListAsync());
        }

        Assert.Empty(await KeysAsync(local.Files));
        Assert.Equal(total, (await KeysAsync(s3.Files)).Count);
        Assert.Equal((0, fileCount + 1), await CountRowsByBackendAsync());
        await AssertEveryFolderReadableAsync(ids);

        // Every checksum verified on the new backend, and the papers' files (single and list) readable.
        await using (var context = CreateContext())
        {
            var scrub = await context.ScrubFilesAsync(new FileScrubOptions { Backends = ["s3"] });
            Assert.Equal(total, scrub.FilesVerified);
            Assert.Equal(0, scrub.MismatchCount);
            Assert.Equal(0, scrub.WithoutChecksum);
            foreach (var paper in await context.Papers.AsNoTracking().ToListAsync())
            {
                Assert.Equal("s3", paper.File!.Backend);
                Assert.Equal(paper.Name, Encoding.UTF8.GetString(await paper.File.GetBytesAsync()));
                Assert.All(paper.Attachments, a => Assert.Equal("s3", a.Backend));
                Assert.Equal(paper.Name + " a", Encoding.UTF8.GetString(await paper.Attachments[0].GetBytesAsync()));
            }

            // Idempotent: a third run finds nothing to move.
            var again = await context.MoveFilesAsync(Options());
            Assert.Equal(0, again.FilesFound);
            Assert.Equal(fileCount + 1 + papers, again.RowsScanned);
        }
    }

    [Fact]
    [Promise("P-MAINT-33")]
    public async Task A_file_whose_old_object_does_not_match_its_row_is_reported_and_not_moved()
    {
        var ids = await SeedFoldersAsync(20);
        var victim = await FirstFolderOnAsync("local");
        // Altered on disk behind the library's back: same size, one byte changed.
        var path = Path.Combine(local.Root, victim.Cover!.Key);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[0] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        await using var context = CreateContext();
        var report = await context.MoveFilesAsync(Options(batchSize: 7));
        Assert.Equal(19, report.FilesMoved);
        Assert.Equal(1, report.ChecksumMismatches);
        var skipped = Assert.Single(report.Skipped);
        Assert.Equal(victim.Cover.Key, skipped.Key);
        Assert.Contains(victim.Id.ToString(), skipped.RowId, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("sha256:", skipped.Reason, StringComparison.Ordinal);

        // The row still names the old backend, whose object is kept; no copy was left on the new one.
        var row = await context.Folders.AsNoTracking().SingleAsync(f => f.Id == victim.Id);
        Assert.Equal("local", row.Cover!.Backend);
        Assert.True(File.Exists(path));
        Assert.False(await s3.Files.ExistsAsync(victim.Cover.Key));
        Assert.Equal(20, (await KeysAsync(local.Files)).Count); // the 19 old objects are held, the victim stays
        Assert.Equal(19, report.OldObjectsHeld);
        Assert.Equal(19, (await KeysAsync(s3.Files)).Count);
        Assert.Equal(20, ids.Count);
    }

    [Fact]
    [Promise("P-MAINT-34")]
    public async Task A_row_changed_while_its_file_is_copied_keeps_the_users_value_and_the_copy_is_deleted()
    {
        await SeedFoldersAsync(3);
        var victim = await FirstFolderOnAsync("local");
        var replacement = FileObject.FromBytes("the user's new file"u8, "new.txt");
        var hooked = new HookedStorageBackend(s3.Files)
        {
            // A user replaces the file through SaveChanges after the move read the row and before it rewrites it.
            BeforeUpload = async key =>
            {
                if (key == victim.Cover!.Key)
                {
                    await using var user = CreateContext();
                    var folder = await user.Folders.SingleAsync(f => f.Id == victim.Id);
                    folder.Cover = replacement;
                    await user.SaveChangesAsync();
                }
            },
        };

        await using (var context = CreateContext(target: hooked))
        {
            var report = await context.MoveFilesAsync(Options());
            Assert.Equal(2, report.FilesMoved);
            Assert.Equal(1, report.RowsChanged);
            Assert.Equal(victim.Cover!.Key, Assert.Single(report.Skipped).Key);
            Assert.Empty(report.DeleteFailures);
        }

        await using (var context = CreateContext())
        {
            var row = await context.Folders.AsNoTracking().SingleAsync(f => f.Id == victim.Id);
            Assert.Equal(replacement.Key, row.Cover!.Key);
            Assert.Equal("the user's new file", Encoding.UTF8.GetString(await row.Cover.GetBytesAsync()));
        }

        // The copy of the replaced file is gone from the target; the replaced file itself was deleted by the user's save.
        Assert.False(await s3.Files.ExistsAsync(victim.Cover.Key));
        Assert.False(await local.Files.ExistsAsync(victim.Cover.Key));

        // Run again: the user's new file moves too; once the holds on the old objects are over, reconcile deletes them.
        await using (var context = CreateContext())
        {
            var again = await context.MoveFilesAsync(Options());
            Assert.Equal(1, again.FilesMoved);
            await context.ReconcileFilesAsync(new FileReconcileOptions { TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(3)) });
        }

        Assert.Empty(await KeysAsync(local.Files));
    }

    [Fact]
    [Promise("P-MAINT-35", "P-MAINT-65")]
    public async Task Bad_move_input_is_a_typed_error_that_says_what_to_do()
    {
        await using var context = CreateContext();
        var unknown = await Assert.ThrowsAsync<AlchemyTypesConfigurationException>(
            () => context.MoveFilesAsync(new FileMoveOptions { FromBackend = "local", ToBackend = "nope" }));
        Assert.Contains("'nope'", unknown.Message, StringComparison.Ordinal);
        var same = await Assert.ThrowsAsync<ArgumentException>(() => context.MoveFilesAsync(new FileMoveOptions { FromBackend = "s3", ToBackend = "s3" }));
        Assert.Contains("two different backends", same.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => context.MoveFilesAsync(new FileMoveOptions { ToBackend = "s3" }));
        Assert.Contains("FromBackend", missing.Message, StringComparison.Ordinal);
        var batch = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.MoveFilesAsync(Options(batchSize: 0)));
        Assert.Contains("between 1 and 10,000", batch.Message, StringComparison.Ordinal);
        var property = await Assert.ThrowsAsync<ArgumentException>(
            () => context.MoveFilesAsync(new FileMoveOptions { FromBackend = "local", ToBackend = "s3", Properties = ["Folder.Nope"] }));
        Assert.Contains("'Folder.Nope'", property.Message, StringComparison.Ordinal);
        Assert.Contains("Folder.Cover", property.Message, StringComparison.Ordinal);
        var retention = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => context.MoveFilesAsync(new FileMoveOptions { FromBackend = "local", ToBackend = "s3", SourceRetention = TimeSpan.FromSeconds(5) }));
        Assert.Equal(nameof(FileMoveOptions.SourceRetention), retention.ParamName);
        Assert.Contains("1 minute to 365 days", retention.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(() => context.MoveFilesAsync(null!));
    }

    private static FileMoveOptions Options(int batchSize = 500)
        => new() { FromBackend = "local", ToBackend = "s3", BatchSize = batchSize, MaxConcurrentCopies = 8 };

    private MaintenanceContext CreateContext(IStorageBackend? target = null)
    {
        var builder = new DbContextOptionsBuilder<MaintenanceContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("local", local.Files).AddStorage("s3", target ?? s3.Files));
        return new MaintenanceContext(builder.Options);
    }

    /// <summary>The 64 bytes of file <paramref name="i"/>: two SHA-256 digests of its number.</summary>
    private static byte[] Content(int i)
    {
        var first = SHA256.HashData(BitConverter.GetBytes(i));
        return [.. first, .. SHA256.HashData(first)];
    }

    /// <summary>
    /// Uploads <paramref name="count"/> 64-byte files straight to the local backend (8 at a time) and inserts their folders
    /// with plain SQL in one transaction, with the FileObject JSON the library writes: fast enough for 10,000 rows.
    /// </summary>
    private async Task<List<Guid>> SeedFoldersAsync(int count)
    {
        var rows = new (Guid Id, FileObject Cover)[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            var id = Guid.CreateVersion7();
            var content = Content(i);
            var key = $"{id:N}/cover-{i}.bin";
            var info = await local.Files.UploadAsync(
                key, new MemoryStream(content), new StorageUploadOptions { ContentType = "application/octet-stream" }, token);
            rows[i] = (id, FileObject.Load($"cover-{i}.bin", key, "local", "application/octet-stream", content.Length,
                "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), info.ETag, info.LastModified, null, null));
        });

        await using var context = CreateContext();
        var entity = context.Model.FindEntityType(typeof(Folder))!;
        var table = context.Quote(entity.GetTableName()!);
        var id = entity.FindProperty(nameof(Folder.Id))!.GetRelationalTypeMapping();
        var name = entity.FindProperty(nameof(Folder.Name))!.GetRelationalTypeMapping();
        var cover = entity.FindProperty(nameof(Folder.Cover))!.GetRelationalTypeMapping();
        var sql = $"INSERT INTO {table} ({context.Quote("Id")}, {context.Quote("Name")}, {context.Quote("Cover")}) VALUES (@id, @name, @cover)";
        await using var transaction = await context.Database.BeginTransactionAsync();
        var factory = context.Database.GetDbConnection().CreateCommand();
        for (var i = 0; i < count; i++)
        {
            await context.Database.ExecuteSqlRawAsync(
                sql,
                id.CreateParameter(factory, "id", rows[i].Id),
                name.CreateParameter(factory, "name", $"folder {i}"),
                cover.CreateParameter(factory, "cover", rows[i].Cover));
        }

        await transaction.CommitAsync();
        return [.. rows.Select(r => r.Id)];
    }

    private async Task<int> SeedPapersAsync(int count)
    {
        await using var context = CreateContext();
        var folder = new Folder { Name = "papers", Cover = FileObject.FromBytes("papers cover"u8, "cover.txt") };
        for (var p = 0; p < count; p++)
        {
            var paper = $"paper {p}";
            folder.Papers.Add(new Paper
            {
                Name = paper,
                File = FileObject.FromBytes(Encoding.UTF8.GetBytes(paper), "paper.txt"),
                Attachments =
                [
                    FileObject.FromBytes(Encoding.UTF8.GetBytes(paper + " a"), "a.txt"),
                    FileObject.FromBytes(Encoding.UTF8.GetBytes(paper + " b"), "b.txt"),
                ],
            });
        }

        context.Folders.Add(folder);
        await context.SaveChangesAsync();
        return count;
    }

    /// <summary>
    /// Reads random folders, row then content, until stopped; a row whose content does not come back is a failure. A row
    /// read just before its rewrite committed may name an old object deleted by the time its content is opened (as after
    /// any replacement of a file): reading the row again must then give the content from the new backend.
    /// </summary>
    private async Task ReadWhileMovingAsync(List<Guid> ids, CancellationToken stop, Action read, Action<string> fail)
    {
        var random = new Random(11);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var id = ids[random.Next(ids.Count)];
                var content = await ReadCoverAsync(id);
                if (content is null)
                {
                    content = await ReadCoverAsync(id) ?? [];
                }

                var i = ids.IndexOf(id);
                if (!content.AsSpan().SequenceEqual(Content(i)))
                {
                    fail($"folder {i}: wrong or missing content");
                }

                read();
            }
            catch (Exception ex)
            {
                fail(ex.ToString());
            }
        }
    }

    /// <summary>The content of a folder's cover, or null when the object its row named was gone by the time it was opened.</summary>
    private async Task<byte[]?> ReadCoverAsync(Guid id)
    {
        await using var context = CreateContext();
        var folder = await context.Folders.AsNoTracking().SingleAsync(f => f.Id == id);
        try
        {
            return await folder.Cover!.GetBytesAsync();
        }
        catch (StorageObjectNotFoundException) when (folder.Cover!.Backend == "local")
        {
            return null;
        }
    }

    private async Task AssertEveryFolderReadableAsync(List<Guid> ids)
    {
        await using var context = CreateContext();
        var seen = 0;
        foreach (var folder in await context.Folders.AsNoTracking().Where(f => f.Name.StartsWith("folder ")).ToListAsync())
        {
            var i = int.Parse(folder.Name[7..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Content(i), await folder.Cover!.GetBytesAsync());
            seen++;
        }

        Assert.Equal(ids.Count, seen);
    }

    private async Task<(int OnLocal, int OnS3)> CountRowsByBackendAsync()
    {
        await using var context = CreateContext();
        var backends = await context.Folders.AsNoTracking().Select(f => f.Cover).ToListAsync();
        return (backends.Count(c => c!.Backend == "local"), backends.Count(c => c!.Backend == "s3"));
    }

    private async Task<Folder> FirstFolderOnAsync(string backend)
    {
        await using var context = CreateContext();
        return (await context.Folders.AsNoTracking().Where(f => f.Name.StartsWith("folder ")).OrderBy(f => f.Id).ToListAsync())
            .First(f => f.Cover!.Backend == backend);
    }

    private static async Task<List<string>> KeysAsync(IStorageBackend backend)
    {
        var keys = new List<string>();
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

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; posts to the thread pool, too late to stop a run at a batch).</summary>
    private sealed class SyncProgress(Action<FileMaintenanceProgress> report) : IProgress<FileMaintenanceProgress>
    {
        public void Report(FileMaintenanceProgress value) => report(value);
    }
}

[Collection(S3Collection.Name)]
public sealed class SqliteFileMoveTests(LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3)
    : FileMoveTests(new SqliteTestStore(), local, s3, fileCount: 10_000), IClassFixture<LocalMaintenanceStorageFixture>,
        IClassFixture<S3MaintenanceStorageFixture>;

[Collection(PostgresS3Collection.Name)]
public sealed class PostgresFileMoveTests(PostgresServerFixture server, LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3)
    : FileMoveTests(new PostgresTestStore(server), local, s3, fileCount: 2_000), IClassFixture<LocalMaintenanceStorageFixture>,
        IClassFixture<S3MaintenanceStorageFixture>;
