using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// Saving a 1 GiB file from a non-seekable stream through FileObject and SaveChanges, against writing the same stream with
/// the local backend directly (the baseline). The memory diagnoser's "Allocated" column is the point: a streaming save
/// allocates buffers, never the content. (The functional test LargeFileMemoryTests asserts the same bound.)
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class LargeFileSaveBenchmarks
{
    private const long OneGiB = 1024L * 1024 * 1024;
    private string _root = "";
    private LocalFileSystemStorageBackend _backend = null!;
    private SqliteConnection _connection = null!;
    private DbContextOptions<BenchContext> _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "alchemytypes-bench-large-" + Guid.NewGuid().ToString("N"));
        _backend = new LocalFileSystemStorageBackend(_root);
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        _options = new DbContextOptionsBuilder<BenchContext>().UseSqlite(_connection).ForBenchmark().AddAlchemyTypes(a => a.AddStorage("files", _backend)).Options;
        using var context = new BenchContext(_options);
        context.Database.EnsureCreated();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<long> BackendDirect()
    {
        var key = $"direct/{Guid.NewGuid():N}";
        var info = await _backend.UploadAsync(key, new GeneratedStream(OneGiB));
        await _backend.DeleteAsync(key);
        return info.Size;
    }

    [Benchmark]
    public async Task<long> FileObjectSave()
    {
        await using var context = new BenchContext(_options);
        var document = new BenchDocument { Title = "large", File = FileObject.FromStream(new GeneratedStream(OneGiB), "large.bin") };
        context.Add(document);
        await context.SaveChangesAsync();
        await _backend.DeleteAsync(document.File!.Key);
        return document.File.Size!.Value;
    }
}
