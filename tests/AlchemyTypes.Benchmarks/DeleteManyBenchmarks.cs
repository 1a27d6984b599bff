using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// Deleting 1,000 objects: one request per object (the baseline) against <see cref="IStorageBackend.DeleteManyAsync"/>
/// (S3 DeleteObjects, 1,000 keys a request; Azure Blob Batch, 256 a request). The request counts are printed as
/// "[requests]" lines; the objects are uploaded again before each iteration.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 6)]
public class DeleteManyBenchmarks
{
    private const int Count = 1000;
    private readonly List<string> _keys = [.. Enumerable.Range(0, Count).Select(i => $"delete/{i:D4}.txt")];
    private CloudBenchmarkStore? _store;
    private IStorageBackend? _backend;

    [Params("S3", "AzureBlob")]
    public string Store { get; set; } = "S3";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = await CloudBenchmarkStore.StartAsync(Store);
        _backend = _store.Backend;
    }

    [IterationSetup]
    public void UploadObjects()
        => Parallel.ForEachAsync(_keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) =>
            await _backend!.UploadAsync(key, new MemoryStream([1, 2, 3]), new StorageUploadOptions { Overwrite = true })).GetAwaiter().GetResult();

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = "1,000 single deletes (16 in parallel)")]
    public async Task<int> OneRequestPerObject()
    {
        await Parallel.ForEachAsync(_keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await _backend!.DeleteAsync(key));
        Console.WriteLine($"[requests] {Store}: one per object = {Count}");
        return Count;
    }

    [Benchmark(Description = "DeleteManyAsync(1,000 keys)")]
    public async Task<int> DeleteMany()
    {
        var result = await _backend!.DeleteManyAsync(_keys);
        if (!result.Succeeded || result.Deleted.Count != Count)
        {
            throw new InvalidOperationException($"DeleteManyAsync failed: {string.Join("; ", result.Failed.Select(f => $"{f.Key}: {f.Value}").Take(5))}");
        }

        Console.WriteLine($"[requests] {Store}: DeleteManyAsync = {result.RequestCount}");
        return result.RequestCount;
    }
}
