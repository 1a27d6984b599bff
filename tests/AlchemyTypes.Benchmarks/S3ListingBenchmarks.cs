using Amazon.S3.Model;
using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// Listing 5,000 objects on s3rver: the backend's <see cref="IStorageBackend.ListAsync"/> (what reconcile walks) against the
/// SDK's own ListObjects paging (the baseline), both 1,000 keys a page. Throughput in objects per second is the count over
/// the mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class S3ListingBenchmarks
{
    private const int Count = 5000;
    private CloudBenchmarkStore? _store;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = await CloudBenchmarkStore.StartAsync("S3");
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await _store.Backend.UploadAsync($"list/{i:D5}.bin", new MemoryStream([1, 2, 3])));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = "SDK ListObjects paging (5,000 objects)")]
    public async Task<int> Sdk()
    {
        var count = 0;
        string? marker = null;
        while (true)
        {
            var page = await _store!.S3!.ListObjectsAsync(new ListObjectsRequest { BucketName = _store.Bucket, Marker = marker, MaxKeys = 1000 });
            count += page.S3Objects?.Count ?? 0;
            if (page.IsTruncated != true || page.S3Objects is null || page.S3Objects.Count == 0)
            {
                return Check(count);
            }

            marker = page.S3Objects[^1].Key;
        }
    }

    [Benchmark(Description = "S3StorageBackend.ListAsync (5,000 objects)")]
    public async Task<int> Backend()
    {
        var count = 0;
        await foreach (var _ in _store!.Backend.ListAsync(new StorageListOptions { PageSize = 1000 }))
        {
            count++;
        }

        return Check(count);
    }

    private static int Check(int count)
        => count == Count ? count : throw new InvalidOperationException($"listed {count} objects, expected {Count}");
}
