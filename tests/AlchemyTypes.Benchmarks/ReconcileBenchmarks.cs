using System.Diagnostics;
using System.Globalization;
using AlchemyTypes.Maintenance;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

/// <summary>One row with one file, for <see cref="ReconcileBenchmarks"/>.</summary>
public sealed class ReconcileRow : UuidV7Entity
{
    public FileObject? File { get; set; }
}

/// <summary>The reconcile benchmark's model.</summary>
public sealed class ReconcileContext(DbContextOptions<ReconcileContext> options) : DbContext(options)
{
    public DbSet<ReconcileRow> Rows => Set<ReconcileRow>();
}

/// <summary>
/// Reconcile (dry run, so every iteration sees the same state) of N rows on SQLite against N + N/10 objects on the local
/// backend (a tenth are orphans), against the baseline of only listing the backend. N is 100,000; set
/// ALCHEMYTYPES_RECONCILE_ROWS=1000000 for the million-row run (setup alone takes many minutes). Peak working set is
/// printed as "[memory]" lines; allocations come from the memory diagnoser.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ReconcileBenchmarks
{
    private string _root = "";
    private string _database = "";
    private LocalFileSystemStorageBackend? _backend;
    private DbContextOptions<ReconcileContext>? _options;

    public static IEnumerable<int> Counts =>
        [int.TryParse(Environment.GetEnvironmentVariable("ALCHEMYTYPES_RECONCILE_ROWS"), CultureInfo.InvariantCulture, out var n) ? n : 100_000];

    [ParamsSource(nameof(Counts))]
    public int Rows { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = Directory.CreateTempSubdirectory("alchemytypes-reconcile-").FullName;
        _database = Path.Combine(_root, "rows.db");
        _backend = new LocalFileSystemStorageBackend(Path.Combine(_root, "files"));
        _options = new DbContextOptionsBuilder<ReconcileContext>()
            .UseSqlite($"Data Source={_database}")
            .AddAlchemyTypes(a => a.AddStorage("files", _backend))
            .Options;
        await using (var context = new ReconcileContext(_options))
        {
            await context.Database.EnsureCreatedAsync();
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL");
        }

        byte[] content = [1, 2, 3, 4];
        for (var done = 0; done < Rows; done += 1000)
        {
            await using var context = new ReconcileContext(_options);
            for (var i = done; i < Math.Min(Rows, done + 1000); i++)
            {
                context.Rows.Add(new ReconcileRow { File = FileObject.FromBytes(content, "f.bin") });
            }

            await context.SaveChangesAsync();
        }

        for (var i = 0; i < Rows / 10; i++)
        {
            await _backend.UploadAsync($"orphans/{i:D7}.bin", new MemoryStream(content));
        }

        Console.WriteLine($"[memory] after setup of {Rows:N0} rows: peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1_048_576} MiB");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"[memory] end: peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1_048_576} MiB");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "list every object (LocalFileSystem ListAsync)")]
    public async Task<long> ListOnly()
    {
        long count = 0;
        await foreach (var _ in _backend!.ListAsync())
        {
            count++;
        }

        return count;
    }

    [Benchmark(Description = "ReconcileFilesAsync (dry run)")]
    public async Task<long> Reconcile()
    {
        await using var context = new ReconcileContext(_options!);
        var report = await context.ReconcileFilesAsync(new FileReconcileOptions
        {
            DryRun = true,
            TimeProvider = new FixedClock(DateTimeOffset.UtcNow.AddDays(2)),
        });
        if (report.OrphansFound != Rows / 10 || report.MissingCount != 0)
        {
            throw new InvalidOperationException($"reconcile found {report.OrphansFound} orphans and {report.MissingCount} missing");
        }

        Console.WriteLine($"[memory] after reconcile: peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1_048_576} MiB");
        return report.ObjectsListed;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
