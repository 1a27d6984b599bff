using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
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
/// Saving and reading a file through FileObject and SaveChanges (SQLite) against the same work written by hand (the
/// baseline, issue 14): the backend's upload, the SHA-256 of the content, and the same row (title and the same JSON
/// document) inserted with a plain EF Core context, then the bytes read back; and against the backend alone (no row).
/// 4 KiB, 1 MiB and 64 MiB, on the local and in-memory backends.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class FileObjectSaveReadBenchmarks
{
    private string _root = "";
    private IStorageBackend _backend = null!;
    private SqliteConnection _connection = null!;
    private DbContextOptions<BenchContext> _options = null!;
    private DbContextOptions<PlainContext> _plain = null!;
    private byte[] _content = [];
    private readonly byte[] _readBuffer = new byte[81920];

    [Params(4, 1024, 65536)]
    public int SizeKiB { get; set; }

    [Params("local", "memory")]
    public string Backend { get; set; } = "local";

    [GlobalSetup]
    public void Setup()
    {
        _content = new byte[SizeKiB * 1024];
        Random.Shared.NextBytes(_content);
        _root = Path.Combine(Path.GetTempPath(), "alchemytypes-bench-" + Guid.NewGuid().ToString("N"));
        _backend = Backend == "local" ? new LocalFileSystemStorageBackend(_root) : new InMemoryStorageBackend();
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        _options = new DbContextOptionsBuilder<BenchContext>().UseSqlite(_connection).ForBenchmark().AddAlchemyTypes(a => a.AddStorage("files", _backend)).Options;
        _plain = new DbContextOptionsBuilder<PlainContext>().UseSqlite(_connection).Options;
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

    [Benchmark(Baseline = true, Description = "hand-written: upload + SHA-256 + plain EF Core row + read")]
    public async Task<long> HandWritten()
    {
        var key = $"hand/{Guid.NewGuid():N}";
        var info = await _backend.UploadAsync(key, new MemoryStream(_content, writable: false),
            new StorageUploadOptions { ContentType = "application/octet-stream" });
        var checksum = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(_content));
        await using (var context = new PlainContext(_plain))
        {
            context.Documents.Add(new PlainDocument
            {
                Title = "bench",
                File = JsonSerializer.Serialize(new StoredFile("bench.bin", key, "files", "application/octet-stream", info.Size, checksum, info.ETag,
                    info.LastModified?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))),
            });
            await context.SaveChangesAsync();
        }

        var read = await Drain(await _backend.OpenReadAsync(key));
        await _backend.DeleteAsync(key);
        return read;
    }

    [Benchmark(Description = "backend upload + read (no row)")]
    public async Task<long> BackendDirect()
    {
        var key = $"direct/{Guid.NewGuid():N}";
        await _backend.UploadAsync(key, new MemoryStream(_content, writable: false), new StorageUploadOptions { ContentType = "application/octet-stream" });
        var read = await Drain(await _backend.OpenReadAsync(key));
        await _backend.DeleteAsync(key);
        return read;
    }

    [Benchmark(Description = "FileObject: SaveChanges + read")]
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

    /// <summary>The JSON document FileObject stores, written by hand.</summary>
    private sealed record StoredFile(
        [property: JsonPropertyName("filename")] string FileName,
        [property: JsonPropertyName("key")] string Key,
        [property: JsonPropertyName("backend")] string Backend,
        [property: JsonPropertyName("content_type")] string ContentType,
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("checksum")] string Checksum,
        [property: JsonPropertyName("etag")] string? ETag,
        [property: JsonPropertyName("last_modified")] string? LastModified);
}
