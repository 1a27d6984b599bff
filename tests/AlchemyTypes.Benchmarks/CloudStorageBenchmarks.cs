using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
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
    private BenchmarkServer? _server;
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
        try
        {
            await StartAsync();
        }
        catch
        {
            // BenchmarkDotNet does not run the cleanup of a failed setup: stop the server here.
            await CleanupAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _data = new byte[MiB * 1024 * 1024];
        new Random(42).NextBytes(_data);
        if (Store == "S3")
        {
            _server = await BenchmarkServer.StartS3rverAsync();
            _s3 = _server.CreateS3Client();
            _bucket = "bench-" + Guid.NewGuid().ToString("N")[..12];
            await _s3.PutBucketAsync(_bucket);
            _backend = new S3StorageBackend(_s3, new S3StorageOptions { BucketName = _bucket, UseChunkEncoding = false, UseConditionalWrites = false });
        }
        else
        {
            _server = await BenchmarkServer.StartAzuriteAsync();
            _container = _server.CreateBlobServiceClient().GetBlobContainerClient("bench-" + Guid.NewGuid().ToString("N")[..12]);
            await _container.CreateAsync();
            _backend = new AzureBlobStorageBackend(_container);
        }

        // Both ways must store the bytes exactly, or the comparison means nothing.
        await SdkUploadDownload();
        await Verify();
        await BackendUploadDownload();
        await Verify();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        (_backend as IDisposable)?.Dispose();
        _s3?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
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
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = Key, InputStream = source, AutoCloseStream = false, UseChunkEncoding = false });
            using var response = await _s3!.GetObjectAsync(_bucket, Key);
            return await DrainAsync(response.ResponseStream);
        }

        var blob = _container!.GetBlobClient(Key);
        using (var source = new MemoryStream(_data, writable: false))
        {
            await blob.UploadAsync(source, overwrite: true);
        }

        var download = await blob.DownloadStreamingAsync();
        await using var content = download.Value.Content;
        return await DrainAsync(content);
    }

    [Benchmark(Description = "AlchemyTypes backend upload + download")]
    public async Task<long> BackendUploadDownload()
    {
        using (var source = new MemoryStream(_data, writable: false))
        {
            await _backend!.UploadAsync(Key, source, new StorageUploadOptions { Overwrite = true });
        }

        await using var read = await _backend!.OpenReadAsync(Key);
        return await DrainAsync(read);
    }

    private static async Task<long> DrainAsync(Stream stream)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
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
