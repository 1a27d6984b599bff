using System.Diagnostics;
using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// Processing a backlog of 100,000 recorded deletes with <c>ProcessPendingStorageDeletesAsync</c> (SQLite file database,
/// batches of 500) against the baseline of deleting the same keys with the backend's own <c>DeleteManyAsync</c> (500 a call,
/// no database). Rows per second = 100,000 / mean. Peak memory during processing (managed heap and working set, sampled
/// every 5 ms) is printed as "[peak]" lines. On the local backend the objects exist (100,000 small files written before
/// each iteration) and the rows carry their ETags, as the rows the library records do (conditional deletes); on s3rver the
/// objects do not exist (uploading 100,000 objects per iteration takes minutes there) and the rows carry no ETag: the same
/// DeleteObjects requests are sent and S3 reports missing keys as deleted.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 2)]
[MemoryDiagnoser]
public class PendingDeleteProcessingBenchmarks
{
    private const int Rows = 100_000;
    private readonly List<string> _keys = [.. Enumerable.Range(0, Rows).Select(i => $"backlog/{i / 1000:D3}/{i:D6}.bin")];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _etags = new(StringComparer.Ordinal);
    private string _root = "";
    private string _database = "";
    private CloudBenchmarkStore? _cloud;
    private IStorageBackend _backend = null!;
    private DbContextOptions<BenchContext> _options = null!;
    private CancellationTokenSource? _sampling;
    private Task<(long Heap, long WorkingSet)>? _sampler;
    private string _running = "";

    [Params("Local", "S3")]
    public string Store { get; set; } = "Local";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "alchemytypes-backlog-" + Guid.NewGuid().ToString("N"));
        _database = _root + ".db";
        if (Store == "S3")
        {
            _cloud = await CloudBenchmarkStore.StartAsync("S3");
            _backend = _cloud.Backend;
        }
        else
        {
            _backend = new LocalFileSystemStorageBackend(_root);
        }

        _options = new DbContextOptionsBuilder<BenchContext>()
            .UseSqlite($"Data Source={_database}")
            .ForBenchmark().AddAlchemyTypes(a => a.AddStorage("files", _backend))
            .Options;
        await using var context = new BenchContext(_options);
        await context.Database.EnsureCreatedAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_database);
    }

    [IterationSetup(Target = nameof(BackendDeleteMany))]
    public void CreateObjects()
    {
        _running = nameof(BackendDeleteMany);
        CreateObjectsCore();
        StartSampling();
    }

    private void CreateObjectsCore()
    {
        if (Store == "Local")
        {
            Parallel.ForEachAsync(_keys, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (key, _) =>
                _etags[key] = (await _backend.UploadAsync(key, new MemoryStream([1, 2, 3]), new StorageUploadOptions { Overwrite = true })).ETag)
                .GetAwaiter().GetResult();
        }
    }

    [IterationSetup(Target = nameof(ProcessRecordedDeletes))]
    public void CreateObjectsAndBacklog()
    {
        _running = nameof(ProcessRecordedDeletes);
        CreateObjectsCore();
        using (var context = new BenchContext(_options))
        {
            context.ChangeTracker.AutoDetectChangesEnabled = false;
            using var transaction = context.Database.BeginTransaction();
            var now = DateTime.UtcNow;
            foreach (var chunk in _keys.Chunk(10_000))
            {
                context.Set<PendingStorageDelete>().AddRange(chunk.Select((k, i) => new PendingStorageDelete
                {
                    Id = Guid.CreateVersion7(),
                    Backend = "files",
                    Key = k,
                    ETag = _etags.GetValueOrDefault(k),
                    EnqueuedAt = now.AddTicks(i),
                }));
                context.SaveChanges();
                context.ChangeTracker.Clear();
            }

            transaction.Commit();
        }

        GC.Collect();
        StartSampling();
    }

    [IterationCleanup]
    public void Cleanup() => StopSampling(Store);

    [Benchmark(Baseline = true, Description = "backend DeleteManyAsync, 500 a call (no database)")]
    public async Task<int> BackendDeleteMany()
    {
        var deleted = 0;
        foreach (var chunk in _keys.Chunk(500))
        {
            deleted += (await _backend.DeleteManyAsync(chunk)).Deleted.Count;
        }

        return deleted == Rows ? deleted : throw new InvalidOperationException($"only {deleted} of {Rows} deleted");
    }

    [Benchmark(Description = "ProcessPendingStorageDeletesAsync, 100,000 rows")]
    public async Task<int> ProcessRecordedDeletes()
    {
        await using var context = new BenchContext(_options);
        var report = await context.ProcessPendingStorageDeletesAsync(batchSize: 500);
        return report.Deleted == Rows && report.Failures.Count == 0
            ? report.Deleted
            : throw new InvalidOperationException($"{report.Deleted} of {Rows} processed, {report.Failures.Count} failed");
    }

    private void StartSampling()
    {
        _sampling = new CancellationTokenSource();
        var token = _sampling.Token;
        _sampler = Task.Run(async () =>
        {
            long heap = 0, workingSet = 0;
            using var process = Process.GetCurrentProcess();
            while (!token.IsCancellationRequested)
            {
                process.Refresh();
                heap = Math.Max(heap, GC.GetTotalMemory(false));
                workingSet = Math.Max(workingSet, process.WorkingSet64);
                try
                {
                    await Task.Delay(5, token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            return (heap, workingSet);
        });
    }

    private void StopSampling(string label)
    {
        if (_sampling is null || _sampler is null)
        {
            return;
        }

        _sampling.Cancel();
        var (heap, workingSet) = _sampler.GetAwaiter().GetResult();
        _sampling.Dispose();
        _sampling = null;
        Console.WriteLine($"[peak] {label} {_running}: managed heap {heap / 1048576.0:F1} MiB, working set {workingSet / 1048576.0:F1} MiB");
        if (Environment.GetEnvironmentVariable(Reporting.BenchSummary.OutVariable) is { Length: > 0 } folder)
        {
            // For the summary table (./build.sh bench): store, method, peak heap and working set in MiB.
            File.AppendAllText(Path.Combine(folder, "peaks.tsv"), string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{label}\t{_running}\t{heap / 1048576.0:F1}\t{workingSet / 1048576.0:F1}\n"));
        }
    }
}
