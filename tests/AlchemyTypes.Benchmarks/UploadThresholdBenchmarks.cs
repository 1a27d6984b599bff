using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using BenchmarkDotNet.Attributes;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// The measurement behind the single-request thresholds (<c>S3StorageOptions.DefaultMultipartThreshold</c>, Azure's
/// <c>InitialTransferSize</c>): the same seekable content uploaded through the backend in one request (the baseline) and
/// as parts of the default size with the default concurrency, side by side, per size. Where parts stop losing, the
/// threshold goes.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class UploadThresholdBenchmarks
{
    private const string Key = "bench/threshold.bin";
    private CloudBenchmarkStore? _store;
    private IStorageBackend? _single;
    private IStorageBackend? _parts;
    private byte[] _data = [];

    [Params("S3", "AzureBlob")]
    public string Store { get; set; } = "S3";

    [Params(16, 64, 128)]
    public int MiB { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _data = new byte[MiB * 1024 * 1024];
        new Random(42).NextBytes(_data);
        _store = await CloudBenchmarkStore.StartAsync(Store);
        if (Store == "S3")
        {
            _single = new S3StorageBackend(
                _store.S3!, new S3StorageOptions { BucketName = _store.Bucket, UseChunkEncoding = false, MultipartThreshold = int.MaxValue });
            _parts = new S3StorageBackend(_store.S3!, new S3StorageOptions { BucketName = _store.Bucket, UseChunkEncoding = false, MultipartThreshold = 0 });
        }
        else
        {
            _single = new AzureBlobStorageBackend(_store.Container!, new AzureBlobStorageOptions { InitialTransferSize = int.MaxValue });
            _parts = new AzureBlobStorageBackend(_store.Container!, new AzureBlobStorageOptions { InitialTransferSize = 0 });
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        (_single as IDisposable)?.Dispose();
        (_parts as IDisposable)?.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = "one request")]
    public async Task<long> OneRequest()
    {
        using var source = new MemoryStream(_data, writable: false);
        return (await _single!.UploadAsync(Key, source, new StorageUploadOptions { Overwrite = true })).Size;
    }

    [Benchmark(Description = "8 MiB parts, 4 in flight")]
    public async Task<long> Parts()
    {
        using var source = new MemoryStream(_data, writable: false);
        return (await _parts!.UploadAsync(Key, source, new StorageUploadOptions { Overwrite = true })).Size;
    }
}
