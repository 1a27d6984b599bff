using AlchemyTypes.Storage;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using BenchmarkDotNet.Attributes;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// Upload then download of one object through the AlchemyTypes backend, as a ratio to the SDK's own way of doing the
/// same (PutObject and GetObject for S3, BlobClient.UploadAsync and DownloadStreamingAsync for Azure), against
/// s3rver and Azurite on loopback. The FileObject layer is measured on top of this once it lands.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class CloudTransferBenchmarks
{
    private const string Key = "bench/object.bin";
    private readonly byte[] _readBuffer = new byte[81920];
    private CloudBenchmarkStore? _store;
    private IAmazonS3? _s3;
    private BlobContainerClient? _container;
    private IStorageBackend? _backend;
    private byte[] _data = [];
    private string _bucket = "";

    [Params("S3", "AzureBlob")]
    public string Store { get; set; } = "S3";

    [Params(1, 64)]
    public int MiB { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _data = new byte[MiB * 1024 * 1024];
        new Random(42).NextBytes(_data);
        _store = await CloudBenchmarkStore.StartAsync(Store);
        (_s3, _bucket, _container, _backend) = (_store.S3, _store.Bucket, _store.Container, _store.Backend);

        // Both ways must store the bytes exactly, or the comparison means nothing.
        await SdkUploadDownload();
        await Verify();
        await BackendUploadDownload();
        await Verify();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
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
            // TransferUtility cannot talk to s3rver: it signs bodies with aws-chunked encoding over HTTP (stored as-is by
            // s3rver) and has no UseChunkEncoding knob. The baseline is the SDK's own single PutObject, as s3rver needs it.
            using var source = new MemoryStream(_data, writable: false);
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = Key, InputStream = source, AutoCloseStream = false,
                UseChunkEncoding = false });
            using var response = await _s3!.GetObjectAsync(_bucket, Key);
            return await CloudBenchmarkStore.DrainAsync(response.ResponseStream, _readBuffer);
        }

        var blob = _container!.GetBlobClient(Key);
        using (var source = new MemoryStream(_data, writable: false))
        {
            await blob.UploadAsync(source, overwrite: true);
        }

        var download = await blob.DownloadStreamingAsync();
        return await CloudBenchmarkStore.DrainAsync(download.Value.Content, _readBuffer);
    }

    [Benchmark(Description = "AlchemyTypes backend upload + download")]
    public async Task<long> BackendUploadDownload()
    {
        using (var source = new MemoryStream(_data, writable: false))
        {
            await _backend!.UploadAsync(Key, source, new StorageUploadOptions { Overwrite = true });
        }

        return await CloudBenchmarkStore.DrainAsync(await _backend!.OpenReadAsync(Key), _readBuffer);
    }

    private async Task Verify()
    {
        if (_s3 is not null)
        {
            var head = await _s3.GetObjectMetadataAsync(_bucket, Key);
            if (head.ContentLength != _data.Length)
            {
                throw new InvalidOperationException($"The stored object has {head.ContentLength} bytes, not {_data.Length}.");
            }
        }

        await using var read = await _backend!.OpenReadAsync(Key);
        var copy = new byte[_data.Length];
        await read.ReadExactlyAsync(copy);
        if (!copy.AsSpan().SequenceEqual(_data) || read.ReadByte() != -1)
        {
            throw new InvalidOperationException($"{Store} stored different bytes than were uploaded; the benchmark would compare nothing.");
        }
    }
}
