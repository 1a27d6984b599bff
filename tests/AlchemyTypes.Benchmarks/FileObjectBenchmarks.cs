using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

public sealed class BenchDocument : BigIntEntity
{
    public string Title { get; set; } = "";

    public FileObject? File { get; set; }
}

public sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
{
    public DbSet<BenchDocument> Documents => Set<BenchDocument>();
}

/// <summary>
/// Saving and reading a file through FileObject and SaveChanges (SQLite) against writing and reading the same bytes with
/// the backend directly (the baseline), for 1 MiB and 64 MiB, on the local and in-memory backends.
/// </summary>
[MemoryDiagnoser]
public class FileObjectSaveReadBenchmarks
{
    private string _root = "";
    private IStorageBackend _backend = null!;
    private SqliteConnection _connection = null!;
    private DbContextOptions<BenchContext> _options = null!;
    private byte[] _content = [];
    private readonly byte[] _readBuffer = new byte[81920];

    [Params(1, 64)]
    public int SizeMiB { get; set; }

    [Params("local", "memory")]
    public string Backend { get; set; } = "local";

    [GlobalSetup]
    public void Setup()
    {
        _content = new byte[SizeMiB * 1024 * 1024];
        Random.Shared.NextBytes(_content);
        _root = Path.Combine(Path.GetTempPath(), "alchemytypes-bench-" + Guid.NewGuid().ToString("N"));
        _backend = Backend == "local" ? new LocalFileSystemStorageBackend(_root) : new InMemoryStorageBackend();
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        _options = new DbContextOptionsBuilder<BenchContext>().UseSqlite(_connection).AddAlchemyTypes(a => a.AddStorage("files", _backend)).Options;
        using var context = new BenchContext(_options);
        context.Database.EnsureCreated();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public async Task<long> BackendDirect()
    {
        var key = $"direct/{Guid.NewGuid():N}";
        await _backend.UploadAsync(key, new MemoryStream(_content, writable: false), new StorageUploadOptions { ContentType = "application/octet-stream" });
        var read = await Drain(await _backend.OpenReadAsync(key));
        await _backend.DeleteAsync(key);
        return read;
    }

    [Benchmark]
    public async Task<long> FileObjectSaveAndRead()
    {
        await using var context = new BenchContext(_options);
        var document = new BenchDocument { Title = "bench", File = FileObject.FromStream(new MemoryStream(_content, writable: false), "bench.bin") };
        context.Add(document);
        await context.SaveChangesAsync();
        var read = await Drain(await document.File!.OpenReadAsync());
        await _backend.DeleteAsync(document.File.Key);
        return read;
    }

    private Task<long> Drain(Stream stream) => CloudBenchmarkStore.DrainAsync(stream, _readBuffer);
}
