using AlchemyTypes.Storage;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// The FileObject layer on cloud storage: a FileObject saved through SaveChanges (SQLite in memory) and read back, as a
/// ratio to the SDK's own upload and download of the same bytes (PutObject/GetObject for S3, BlobClient.UploadAsync and
/// DownloadStreamingAsync for Azure), for 1 MiB and 64 MiB, against s3rver and Azurite on loopback. A FileObject never
/// overwrites, so each save writes a new key; both ways write a new key and delete it after reading it back, so that the
/// ratio is what FileObject adds (its existence check, the checksum, the row, the stored object's description).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class CloudFileObjectBenchmarks
{
    private readonly byte[] _readBuffer = new byte[81920];
    private CloudBenchmarkStore? _store;
    private IAmazonS3? _s3;
    private BlobContainerClient? _container;
    private IStorageBackend? _backend;
    private SqliteConnection? _connection;
    private DbContextOptions<BenchContext>? _options;
    private byte[] _data = [];
    private string _bucket = "";

    [Params("S3", "AzureBlob")]
    public string Store { get; set; } = "S3";

    [Params(1, 64)]
    public int MiB { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // BenchmarkDotNet does not run the cleanup of a failed setup.
            await CleanupAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _data = new byte[MiB * 1024 * 1024];
        new Random(42).NextBytes(_data);
        _store = await CloudBenchmarkStore.StartAsync(Store);
        (_s3, _bucket, _container, _backend) = (_store.S3, _store.Bucket, _store.Container, _store.Backend);
        _connection = new SqliteConnection("Data Source=:memory:");
        await _connection.OpenAsync();
        _options = new DbContextOptionsBuilder<BenchContext>().UseSqlite(_connection).ForBenchmark().AddAlchemyTypes(a => a.AddStorage("files", _backend)).Options;
        await using (var context = new BenchContext(_options))
        {
            await context.Database.EnsureCreatedAsync();
        }

        // Both ways must move every byte, or the comparison means nothing.
        Check(await SdkUploadDownload(), "the SDK");
        Check(await FileObjectSaveAndRead(), "FileObject");
        await using (var context = new BenchContext(_options))
        {
            var document = new BenchDocument { Title = "verify", File = FileObject.FromStream(new MemoryStream(_data, writable: false), "verify.bin") };
            context.Add(document);
            await context.SaveChangesAsync();
            var stored = await document.File!.GetBytesAsync();
            if (!stored.AsSpan().SequenceEqual(_data))
            {
                throw new InvalidOperationException($"{Store} stored different bytes through FileObject than were saved.");
            }
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

    [Benchmark(Baseline = true, Description = "SDK upload + download")]
    public async Task<long> SdkUploadDownload()
    {
        if (_s3 is not null)
        {
            // As in CloudTransferBenchmarks: TransferUtility cannot talk to s3rver, so the baseline is one PutObject.
            var key = $"sdk/{Guid.NewGuid():N}";
            long read;
            using (var source = new MemoryStream(_data, writable: false))
            {
                await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = source,
                    AutoCloseStream = false, UseChunkEncoding = false });
            }

            using (var response = await _s3.GetObjectAsync(_bucket, key))
            {
                read = await DrainAsync(response.ResponseStream);
            }

            await _s3.DeleteObjectAsync(_bucket, key);
            return read;
        }

        var blob = _container!.GetBlobClient($"sdk/{Guid.NewGuid():N}");
        using (var source = new MemoryStream(_data, writable: false))
        {
            await blob.UploadAsync(source, overwrite: false);
        }

        var download = await blob.DownloadStreamingAsync();
        var total = await DrainAsync(download.Value.Content);
        await blob.DeleteAsync();
        return total;
    }

    [Benchmark(Description = "FileObject SaveChanges + read")]
    public async Task<long> FileObjectSaveAndRead()
    {
        await using var context = new BenchContext(_options!);
        var document = new BenchDocument { Title = "bench", File = FileObject.FromStream(new MemoryStream(_data, writable: false), "bench.bin") };
        context.Add(document);
        await context.SaveChangesAsync();
        var read = await DrainAsync(await document.File!.OpenReadAsync());
        await _backend!.DeleteAsync(document.File.Key);
        return read;
    }

    private void Check(long read, string how)
    {
        if (read != _data.Length)
        {
            throw new InvalidOperationException($"{how} read {read} bytes back from {Store}, not {_data.Length}.");
        }
    }

    private Task<long> DrainAsync(Stream stream) => CloudBenchmarkStore.DrainAsync(stream, _readBuffer);
}
