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
/// ALCHEMYTYPES_RECONCILE_ROWS=1000000 for the million-row run. The setup writes the files straight to disk (64 bytes each,
/// 1,000 per folder, no sidecar: what the backend reads as an object with the default content type) and inserts the rows
/// with one prepared INSERT in one transaction, with the FileObject JSON the library writes, so a million rows take about
/// a minute instead of an hour of SaveChanges. Peak working set is printed as "[memory]" lines (the setup's is printed
/// first, so the reconcile's own peak shows as the difference); allocations come from the memory diagnoser.
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
            .ForBenchmark().AddAlchemyTypes(a => a.AddStorage("files", _backend))
            .Options;
        await using (var context = new ReconcileContext(_options))
        {
            await context.Database.EnsureCreatedAsync();
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL");
        }

        var content = new byte[64];
        var files = Path.Combine(_root, "files");
        var checksum = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        var clock = Stopwatch.StartNew();
        await using (var context = new ReconcileContext(_options))
        {
            var table = context.Model.FindEntityType(typeof(ReconcileRow))!.GetTableName();
            await context.Database.OpenConnectionAsync();
            var connection = (Microsoft.Data.Sqlite.SqliteConnection)context.Database.GetDbConnection();
            await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO \"{table}\" (\"Id\", \"File\") VALUES ($id, $file)";
            var id = insert.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
            var file = insert.Parameters.Add("$file", Microsoft.Data.Sqlite.SqliteType.Text);
            insert.Prepare();
            for (var i = 0; i < Rows; i++)
            {
                var key = Key("rows", i);
                WriteFile(files, key, content);
                id.Value = Guid.CreateVersion7().ToString().ToUpperInvariant(); // EF Core's SQLite Guid format
                file.Value = $"{{\"filename\":\"f.bin\",\"key\":\"{key}\",\"backend\":\"files\",\"content_type\":\"application/octet-stream\","
                    + $"\"size\":64,\"checksum\":\"{checksum}\"}}";
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        for (var i = 0; i < Rows / 10; i++)
        {
            WriteFile(files, Key("orphans", i), content);
        }

        Console.WriteLine($"[setup] {Rows:N0} rows and {Rows + (Rows / 10):N0} files in {clock.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine($"[memory] after setup of {Rows:N0} rows: peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1_048_576} MiB");
    }

    /// <summary>1,000 keys per folder: <c>rows/042/0042123.bin</c>.</summary>
    private static string Key(string prefix, int i) => $"{prefix}/{i / 1000:D4}/{i:D7}.bin";

    private static void WriteFile(string root, string key, byte[] content)
    {
        var path = Path.Combine(root, key);
        if (key.EndsWith("000.bin", StringComparison.Ordinal))
        {
            // The first key of its folder (keys are written in order).
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }

        File.WriteAllBytes(path, content);
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
