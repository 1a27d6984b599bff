using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using Amazon.S3;
using Azure.Storage.Blobs;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// A cloud store for one benchmark class: its own s3rver or Azurite on loopback, a fresh bucket or container, and the
/// AlchemyTypes backend over it (configured as s3rver needs). Disposing it stops the server.
/// </summary>
internal sealed class CloudBenchmarkStore : IAsyncDisposable
{
    private readonly BenchmarkServer _server;
    private LatencyProxy? _proxy;

    private CloudBenchmarkStore(BenchmarkServer server) => _server = server;

    /// <summary>The S3 client, when the store is S3.</summary>
    public IAmazonS3? S3 { get; private set; }

    /// <summary>The bucket, when the store is S3.</summary>
    public string Bucket { get; private set; } = "";

    /// <summary>The container, when the store is Azure Blob.</summary>
    public BlobContainerClient? Container { get; private set; }

    public IStorageBackend Backend { get; private set; } = null!;

    /// <summary>
    /// Starts the server of <paramref name="store"/> ("S3" or "AzureBlob"), reached through a <see cref="LatencyProxy"/>
    /// with that round trip when <paramref name="roundTrip"/> is positive; stops it again if anything fails.
    /// </summary>
    public static async Task<CloudBenchmarkStore> StartAsync(string store, TimeSpan roundTrip = default)
    {
        var server = store == "S3" ? await BenchmarkServer.StartS3rverAsync() : await BenchmarkServer.StartAzuriteAsync();
        var result = new CloudBenchmarkStore(server);
        try
        {
            var port = server.Port;
            if (roundTrip > TimeSpan.Zero)
            {
                result._proxy = LatencyProxy.Start(server.Port, roundTrip);
                port = result._proxy.Port;
            }

            var name = "bench-" + Guid.NewGuid().ToString("N")[..12];
            if (store == "S3")
            {
                result.S3 = server.CreateS3Client(port);
                result.Bucket = name;
                await result.S3.PutBucketAsync(name);
                result.Backend = new S3StorageBackend(result.S3, new S3StorageOptions { BucketName = name, UseChunkEncoding = false,
                    UseConditionalWrites = false });
            }
            else
            {
                result.Container = server.CreateBlobServiceClient(port).GetBlobContainerClient(name);
                await result.Container.CreateAsync();
                result.Backend = new AzureBlobStorageBackend(result.Container);
            }

            return result;
        }
        catch
        {
            // BenchmarkDotNet does not run the cleanup of a failed setup: stop the server here.
            await result.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        (Backend as IDisposable)?.Dispose();
        S3?.Dispose();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    /// <summary>Reads a stream to its end through <paramref name="buffer"/> and disposes it; returns the byte count.</summary>
    public static async Task<long> DrainAsync(Stream stream, byte[] buffer)
    {
        await using (stream)
        {
            long total = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                total += n;
            }

            return total;
        }
    }
}
