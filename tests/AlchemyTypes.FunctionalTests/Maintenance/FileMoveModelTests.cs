using System.Globalization;
using System.Text;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace AlchemyTypes.FunctionalTests.Maintenance;

/// <summary>
/// Random sequences of moves between local disk and S3 (cancelled part-way and resumed, with deletes failing at times),
/// stale writers (rows loaded before a move and saved after it, or during its copies), users replacing files, outbox
/// processing and reconciliation at a virtual clock that runs hours ahead, against a real database and real storage.
/// After every operation every row's files must be readable; at the end of a sequence, with every hold and grace period
/// over, reconciliation must leave no object unreferenced. The number of sequences is fixed (a count, not a time):
/// <c>ALCHEMYTYPES_MOVE_SEQUENCES</c> (default 12) from seed <c>ALCHEMYTYPES_MOVE_SEED</c> (default 1); a failure names its seed.
/// </summary>
public abstract class FileMoveModelTests(ITestStore store, LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3, ITestOutputHelper output)
{
    private const int OperationsPerSequence = 16;
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private ITestStore Store => store;

    private IStorageBackend LocalFiles => local.Files;

    private IStorageBackend S3Files => s3.Files;

    [Fact]
    [Promise("P-MAINT-64")]
    public async Task Random_sequences_of_moves_stale_writers_reconcile_and_processing_lose_no_file_and_leave_no_orphan()
    {
        var sequences = int.Parse(Environment.GetEnvironmentVariable("ALCHEMYTYPES_MOVE_SEQUENCES") ?? "12", CultureInfo.InvariantCulture);
        var first = int.Parse(Environment.GetEnvironmentVariable("ALCHEMYTYPES_MOVE_SEED") ?? "1", CultureInfo.InvariantCulture);
        long operations = 0, lost = 0, orphans = 0, moved = 0, staleSaves = 0, cancelled = 0;
        var failures = new List<string>();
        for (var seed = first; seed < first + sequences; seed++)
        {
            var run = new Sequence(this, seed);
            try
            {
                await run.RunAsync();
            }
            catch (Exception ex)
            {
                failures.Add($"seed {seed}: {ex.GetType().Name}: {ex.Message}\n  operations: {string.Join("; ", run.Log)}");
            }

            operations += run.Operations;
            lost += run.Lost;
            orphans += run.Orphans;
            moved += run.Moved;
            staleSaves += run.StaleSaves;
            cancelled += run.Cancelled;
        }

        var summary = $"{store.GetType().Name}: {sequences} sequences (seeds {first}..{first + sequences - 1}), {operations} operations, "
            + $"{moved} files moved, {cancelled} moves cancelled, {staleSaves} stale saves; {lost} lost, {orphans} orphans";
        output.WriteLine(summary);
        Console.WriteLine("FileMoveModelTests " + summary);
        Assert.True(failures.Count == 0 && lost == 0 && orphans == 0, summary + "\n" + string.Join("\n", failures));
    }

    /// <summary>One sequence: its own database and empty backends, a seeded random, a virtual clock.</summary>
    private sealed class Sequence(FileMoveModelTests test, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
        private readonly List<Stale> _stale = [];
        private TestDatabase _database = null!;
        private HookedStorageBackend _local = null!;
        private HookedStorageBackend _s3 = null!;
        private Func<string, Task>? _duringCopy;
        private int _names;

        public List<string> Log { get; } = [];

        public long Operations { get; private set; }

        public long Lost { get; private set; }

        public long Orphans { get; private set; }

        public long Moved { get; private set; }

        public long StaleSaves { get; private set; }

        public long Cancelled { get; private set; }

        public async Task RunAsync()
        {
            await MoveTestFiles.EmptyAsync(test.LocalFiles);
            await MoveTestFiles.EmptyAsync(test.S3Files);
            _local = new HookedStorageBackend(test.LocalFiles) { BeforeUpload = key => _duringCopy?.Invoke(key) ?? Task.CompletedTask };
            _s3 = new HookedStorageBackend(test.S3Files) { BeforeUpload = key => _duringCopy?.Invoke(key) ?? Task.CompletedTask };
            _database = await test.Store.CreateDatabaseAsync();
            try
            {
                await using (var context = CreateContext())
                {
                    await context.Database.EnsureCreatedAsync();
                }

                await SeedAsync();
                for (var i = 0; i < OperationsPerSequence; i++)
                {
                    await StepAsync();
                    Operations++;
                    await CheckReadableAsync();
                }

                // The end: every stale writer gone, every hold and grace period over.
                await DropStaleAsync(_ => true);
                _local.FailDeletes = _s3.FailDeletes = false;
                _clock.Now += TimeSpan.FromDays(3);
                Log.Add("final process + reconcile");
                await ProcessAsync();
                await ReconcileAsync();
                await CheckReadableAsync();
                await CheckNothingUnreferencedAsync();
            }
            finally
            {
                await _database.DisposeAsync();
            }
        }

        private async Task StepAsync()
        {
            _local.FailDeletes = _random.Next(5) == 0;
            _s3.FailDeletes = _random.Next(5) == 0;
            var failing = (_local.FailDeletes ? " local deletes fail" : "") + (_s3.FailDeletes ? " s3 deletes fail" : "");

            // Stale writers older than the retention are outside what the design promises: they are dropped.
            _clock.Now += TimeSpan.FromMinutes(_random.Next(0, 3 * 60));
            await DropStaleAsync(s => _clock.Now - s.LoadedAt >= Retention - TimeSpan.FromHours(1));
            switch (_random.Next(10))
            {
                case 0 or 1 or 2:
                    await MoveAsync(failing);
                    break;
                case 3 or 4:
                    await LoadStaleAsync();
                    break;
                case 5 or 6:
                    await SaveStaleAsync();
                    break;
                case 7 when _random.Next(2) == 0:
                    await ReplaceAsync();
                    break;
                case 7:
                    Log.Add("process" + failing);
                    await ProcessAsync();
                    break;
                default:
                    Log.Add($"reconcile at +{(_clock.Now - DateTimeOffset.UtcNow).TotalHours:F0} h{failing}");
                    await ReconcileAsync();
                    break;
            }
        }

        private async Task MoveAsync(string failing)
        {
            var (from, to) = _random.Next(2) == 0 ? ("local", "s3") : ("s3", "local");
            var options = new FileMoveOptions
            {
                FromBackend = from, ToBackend = to, BatchSize = _random.Next(1, 4), MaxConcurrentCopies = _random.Next(1, 4),
                SourceRetention = Retention, TimeProvider = _clock,
            };

            // Cancelled after a few uploads (copies of that batch count for nothing), or, during a copy, a stale writer saves.
            using var cancel = new CancellationTokenSource();
            var cancelAfter = _random.Next(3) == 0 ? _random.Next(0, 4) : -1;
            var staleDuring = _random.Next(4) == 0;
            var uploads = 0;
            _duringCopy = async _ =>
            {
                var n = Interlocked.Increment(ref uploads);
                if (n - 1 == cancelAfter)
                {
                    await cancel.CancelAsync();
                }

                if (staleDuring && n == 1)
                {
                    await SaveStaleAsync();
                }
            };
            try
            {
                await using var context = CreateContext();
                var report = await context.MoveFilesAsync(options, null, cancel.Token);
                Moved += report.FilesMoved;
                Log.Add($"move {from}->{to} batch {options.BatchSize}{failing}: {report.FilesMoved} moved, {report.NewKeys} new keys, "
                    + $"{report.RowsChanged} changed, {report.Conflicts} conflicts");
            }
            catch (OperationCanceledException)
            {
                Cancelled++;
                Log.Add($"move {from}->{to} batch {options.BatchSize}{failing}: cancelled after {uploads} uploads");
            }
            finally
            {
                _duringCopy = null;
            }
        }

        private async Task DropStaleAsync(Func<Stale, bool> which)
        {
            foreach (var stale in _stale.Where(which).ToList())
            {
                _stale.Remove(stale);
                if (stale.Context is not null)
                {
                    await stale.Context.DisposeAsync();
                }
            }
        }

        private async Task LoadStaleAsync()
        {
            var context = CreateContext();
            if (_random.Next(2) == 0)
            {
                var papers = await context.Papers.OrderBy(p => p.Name).ToListAsync();
                var paper = papers[_random.Next(papers.Count)];
                _stale.Add(new Stale(context, paper, null, _clock.Now));
                Log.Add($"stale writer loads {paper.Name} (tracked)");
            }
            else
            {
                var folders = await context.Folders.AsNoTracking().Where(f => f.Cover != null).OrderBy(f => f.Name).ToListAsync();
                var folder = folders[_random.Next(folders.Count)];
                await context.DisposeAsync();
                _stale.Add(new Stale(null, null, folder, _clock.Now));
                Log.Add($"stale writer loads {folder.Name} (detached)");
            }
        }

        private async Task SaveStaleAsync()
        {
            if (_stale.Count == 0)
            {
                return;
            }

            var stale = _stale[_random.Next(_stale.Count)];
            _stale.Remove(stale);
            try
            {
                if (stale.Paper is { } paper)
                {
                    paper.Attachments.Add(Named());
                    await stale.Context!.SaveChangesAsync();
                    Log.Add($"stale writer saves {paper.Name} with a new attachment");
                }
                else
                {
                    await using var context = CreateContext();
                    stale.Folder!.Name += "+";
                    context.Update(stale.Folder);
                    await context.SaveChangesAsync();
                    Log.Add($"stale writer saves {stale.Folder.Name} with Update()");
                }

                StaleSaves++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Refused up front (the row no longer holds the file the writer loaded): nothing written, nothing to lose.
                Log.Add("stale save refused with a concurrency conflict");
            }
            finally
            {
                if (stale.Context is not null)
                {
                    await stale.Context.DisposeAsync();
                }
            }
        }

        /// <summary>
        /// A user replaces a folder's cover, on a folder no stale writer holds: a stale writer saving over a user's
        /// replacement is the general stale-update case of the save lifecycle, not a move's.
        /// </summary>
        private async Task ReplaceAsync()
        {
            await using var context = CreateContext();
            var held = _stale.Where(s => s.Folder is not null).Select(s => s.Folder!.Id).ToHashSet();
            var folders = (await context.Folders.OrderBy(f => f.Name).ToListAsync()).Where(f => f.Cover is not null && !held.Contains(f.Id)).ToList();
            if (folders.Count == 0)
            {
                Log.Add("user replace: every folder is held by a stale writer");
                return;
            }

            var folder = folders[_random.Next(folders.Count)];
            folder.Cover = Named();
            await context.SaveChangesAsync();
            Log.Add($"user replaces the cover of {folder.Name}");
        }

        private async Task SeedAsync()
        {
            await using var context = CreateContext();
            for (var f = 0; f < 2; f++)
            {
                var folder = new Folder { Name = $"folder {f}", Cover = Named() };
                folder.Papers.Add(new Paper { Name = $"paper {f}", Attachments = [Named(), Named()] });
                context.Folders.Add(folder);
            }

            await context.SaveChangesAsync();
        }

        private async Task ProcessAsync()
        {
            await using var context = CreateContext();
            await context.ProcessPendingStorageDeletesAsync();
        }

        private async Task ReconcileAsync()
        {
            await using var context = CreateContext();
            await context.ReconcileFilesAsync(new FileReconcileOptions { TimeProvider = _clock });
        }

        /// <summary>A file whose content is its own name (unique in the sequence).</summary>
        private FileObject Named()
        {
            var name = $"f{seed}-{++_names}.txt";
            return FileObject.FromBytes(Encoding.UTF8.GetBytes(name), name);
        }

        private MaintenanceContext CreateContext()
        {
            var builder = new DbContextOptionsBuilder<MaintenanceContext>();
            _database.UseProvider(builder);
            builder.AddAlchemyTypes(a => a.AddStorage("local", _local).AddStorage("s3", _s3));
            return new MaintenanceContext(builder.Options);
        }

        private async Task<List<FileObject>> ReferencesAsync()
        {
            await using var context = CreateContext();
            var files = (await context.Folders.AsNoTracking().ToListAsync()).Where(f => f.Cover is not null).Select(f => f.Cover!).ToList();
            foreach (var paper in await context.Papers.AsNoTracking().ToListAsync())
            {
                files.AddRange(paper.Attachments);
            }

            return files;
        }

        private async Task CheckReadableAsync()
        {
            var missing = new List<string>();
            foreach (var file in await ReferencesAsync())
            {
                try
                {
                    if (Encoding.UTF8.GetString(await file.GetBytesAsync()) != file.FileName)
                    {
                        missing.Add($"{file.Backend}:{file.Key} holds other content");
                    }
                }
                catch (StorageObjectNotFoundException)
                {
                    missing.Add($"{file.Backend}:{file.Key} ({file.FileName}) is missing");
                }
            }

            if (missing.Count > 0)
            {
                Lost += missing.Count;
                throw new InvalidOperationException($"after '{Log.LastOrDefault()}': rows point at missing objects: {string.Join("; ", missing)}");
            }
        }

        private async Task CheckNothingUnreferencedAsync()
        {
            var referenced = (await ReferencesAsync()).Select(f => $"{f.Backend}:{f.Key}").ToHashSet(StringComparer.Ordinal);
            var stored = (await MoveTestFiles.KeysAsync(test.LocalFiles)).Select(k => "local:" + k)
                .Concat((await MoveTestFiles.KeysAsync(test.S3Files)).Select(k => "s3:" + k)).ToList();
            var unreferenced = stored.Where(s => !referenced.Contains(s)).ToList();
            if (unreferenced.Count > 0)
            {
                Orphans += unreferenced.Count;
                throw new InvalidOperationException($"objects no row references after the final reconcile: {string.Join("; ", unreferenced)}");
            }
        }

        private sealed record Stale(MaintenanceContext? Context, Paper? Paper, Folder? Folder, DateTimeOffset LoadedAt);
    }
}

[Collection(S3Collection.Name)]
public sealed class SqliteFileMoveModelTests(LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3, ITestOutputHelper output)
    : FileMoveModelTests(new SqliteTestStore(), local, s3, output), IClassFixture<LocalMaintenanceStorageFixture>,
        IClassFixture<S3MaintenanceStorageFixture>;

[Collection(PostgresS3Collection.Name)]
public sealed class PostgresFileMoveModelTests(
    PostgresServerFixture server, LocalMaintenanceStorageFixture local, S3MaintenanceStorageFixture s3, ITestOutputHelper output)
    : FileMoveModelTests(new PostgresTestStore(server), local, s3, output), IClassFixture<LocalMaintenanceStorageFixture>,
        IClassFixture<S3MaintenanceStorageFixture>;
