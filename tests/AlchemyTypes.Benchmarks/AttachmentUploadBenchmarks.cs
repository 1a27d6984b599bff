using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

public sealed class BenchFolder : BigIntEntity
{
    public FileObjectList Attachments { get; set; } = [];
}

public sealed class AttachmentBenchContext(DbContextOptions<AttachmentBenchContext> options) : DbContext(options)
{
    public DbSet<BenchFolder> Folders => Set<BenchFolder>();
}

/// <summary>
/// A row with 20 attachments of 1 MiB saved through SaveChanges, whose files are uploaded concurrently (at most 8 at a time), as a
/// ratio to the same 20 uploads one after another with the backend directly (what a serial lifecycle costs at least), on
/// s3rver and Azurite (issue 14: at least 3x faster than serial on S3). All write new keys and delete them.
/// <para>
/// The third method, the same 20 uploads 8 at a time with the backend directly, is the most the store can give: on
/// loopback (<see cref="RoundTripMs"/> 0) s3rver and Azurite are single-threaded Node.js processes that share the 2 cores
/// with the client, so requests run one after another there whatever the client does. With a round trip between client
/// and store (<see cref="RoundTripMs"/> 20, through a <see cref="LatencyProxy"/>), as across any network, the wait per
/// request is what concurrency overlaps.
/// </para>
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class AttachmentUploadBenchmarks
{
    private const int Attachments = 20;
    private static readonly StorageUploadOptions Octets = new() { ContentType = "application/octet-stream" };
    private CloudBenchmarkStore? _store;
    private IStorageBackend? _backend;
    private SqliteConnection? _connection;
    private DbContextOptions<AttachmentBenchContext>? _options;
    private byte[] _data = [];

    [Params("S3", "AzureBlob")]
    public string Store { get; set; } = "S3";

    [Params(1024)]
    public int KiB { get; set; }

    /// <summary>The round trip between client and store: 0 on loopback, else through a <see cref="LatencyProxy"/>.</summary>
    [Params(0, 20)]
    public int RoundTripMs { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        try
        {
            _data = new byte[KiB * 1024];
            new Random(42).NextBytes(_data);
            _store = await CloudBenchmarkStore.StartAsync(Store, TimeSpan.FromMilliseconds(RoundTripMs));
            _backend = _store.Backend;
            _connection = new SqliteConnection("Data Source=:memory:");
            await _connection.OpenAsync();
            _options = new DbContextOptionsBuilder<AttachmentBenchContext>().UseSqlite(_connection).ForBenchmark().AddAlchemyTypes(a
                => a.AddStorage("files", _backend)).Options;
            await using var context = new AttachmentBenchContext(_options);
            await context.Database.EnsureCreatedAsync();
            if (await SaveRowWithAttachments() != Attachments * (long)_data.Length || await SerialUploads() != Attachments * (long)_data.Length
                || await ConcurrentUploads() != Attachments * (long)_data.Length)
            {
                throw new InvalidOperationException("A benchmark did not store every byte.");
            }
        }
        catch
        {
            await CleanupAsync();
            throw;
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = "20 uploads one after another (backend)")]
    public async Task<long> SerialUploads()
    {
        long total = 0;
        var keys = new List<string>(Attachments);
        for (var i = 0; i < Attachments; i++)
        {
            var key = $"serial/{Guid.NewGuid():N}";
            using var source = new MemoryStream(_data, writable: false);
            total += (await _backend!.UploadAsync(key, source, Octets)).Size;
            keys.Add(key);
        }

        await _backend!.DeleteManyAsync(keys);
        return total;
    }

    [Benchmark(Description = "20 uploads, 8 at a time (backend)")]
    public async Task<long> ConcurrentUploads()
    {
        var keys = Enumerable.Range(0, Attachments).Select(_ => $"concurrent/{Guid.NewGuid():N}").ToList();
        long total = 0;
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, cancellationToken) =>
        {
            using var source = new MemoryStream(_data, writable: false);
            var stored = await _backend!.UploadAsync(key, source, Octets, cancellationToken);
            Interlocked.Add(ref total, stored.Size);
        });

        await _backend!.DeleteManyAsync(keys);
        return total;
    }

    [Benchmark(Description = "row with 20 attachments (SaveChanges)")]
    public async Task<long> SaveRowWithAttachments()
    {
        var folder = new BenchFolder();
        for (var i = 0; i < Attachments; i++)
        {
            folder.Attachments.Add(FileObject.FromStream(new MemoryStream(_data, writable: false), $"a{i}.bin"));
        }

        await using (var context = new AttachmentBenchContext(_options!))
        {
            context.Add(folder);
            await context.SaveChangesAsync();
        }

        await _backend!.DeleteManyAsync(folder.Attachments.Select(f => f.Key).ToList());
        return folder.Attachments.Sum(f => f.Size ?? 0);
    }
}
