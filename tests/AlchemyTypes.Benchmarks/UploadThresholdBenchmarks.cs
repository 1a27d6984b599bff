using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using Amazon.S3.Model;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using BenchmarkDotNet.Attributes;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// The measurement behind the single-request thresholds (<c>S3StorageOptions.DefaultMultipartThreshold</c>, Azure's
/// <c>InitialTransferSize</c>): the same seekable content uploaded with the SDK's own single request (the baseline:
/// <c>PutObject</c>, <c>BlobClient.Upload</c> in one shot), and through the backend with its default options, forced into
/// one request, and forced into parts of the default size with the default concurrency, side by side, per size. Where
/// parts stop losing, the threshold goes.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class UploadThresholdBenchmarks
{
    private const string Key = "bench/threshold.bin";
    private CloudBenchmarkStore? _store;
    private IStorageBackend? _single;
    private IStorageBackend? _parts;
    private IStorageBackend? _default;
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
            _default = _store.Backend;
        }
        else
        {
            _single = new AzureBlobStorageBackend(_store.Container!, new AzureBlobStorageOptions { InitialTransferSize = int.MaxValue });
            _parts = new AzureBlobStorageBackend(_store.Container!, new AzureBlobStorageOptions { InitialTransferSize = 0 });
            _default = _store.Backend;
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

    [Benchmark(Baseline = true, Description = "SDK, one request")]
    public async Task<long> SdkOneRequest()
    {
        using var source = new MemoryStream(_data, writable: false);
        if (_store!.S3 is { } s3)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = _store.Bucket, Key = Key, InputStream = source, AutoCloseStream = false,
                UseChunkEncoding = false });
        }
        else
        {
            await _store.Container!.GetBlobClient(Key).UploadAsync(source, new BlobUploadOptions
            {
                TransferOptions = new StorageTransferOptions { InitialTransferSize = int.MaxValue, MaximumTransferSize = int.MaxValue },
            });
        }

        return _data.Length;
    }

    [Benchmark(Description = "backend, default options")]
    public async Task<long> BackendDefault()
    {
        using var source = new MemoryStream(_data, writable: false);
        return (await _default!.UploadAsync(Key, source, new StorageUploadOptions { Overwrite = true })).Size;
    }

    [Benchmark(Description = "backend, one request")]
    public async Task<long> OneRequest()
    {
        using var source = new MemoryStream(_data, writable: false);
        return (await _single!.UploadAsync(Key, source, new StorageUploadOptions { Overwrite = true })).Size;
    }

    [Benchmark(Description = "backend, 8 MiB parts, 4 in flight")]
    public async Task<long> Parts()
    {
        using var source = new MemoryStream(_data, writable: false);
        return (await _parts!.UploadAsync(Key, source, new StorageUploadOptions { Overwrite = true })).Size;
    }
}
