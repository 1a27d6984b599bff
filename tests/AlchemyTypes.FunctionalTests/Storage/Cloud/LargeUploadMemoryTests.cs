using System.Diagnostics;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Xunit.Abstractions;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>
/// Runs alone (no other test allocates meanwhile), with servers of its own, so that the process's memory can be
/// attributed to the upload being measured.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection : ICollectionFixture<S3ServerFixture>, ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Memory measurement";
}

/// <summary>
/// A 200 MiB upload, generated as it is read from a non-seekable stream, must go through each backend with the
/// process's memory growing by far less than the file: a memory bound, not a timing.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class LargeUploadMemoryTests(S3ServerFixture s3, AzuriteFixture azurite, ITestOutputHelper output)
{
    private const long Size = 200L * 1024 * 1024;
    private const long ManagedBound = 64L * 1024 * 1024;
    private const long WorkingSetBound = 128L * 1024 * 1024;

    [Promise("P-CLOUD-01")]
    [Fact]
    public async Task A_200_MiB_upload_to_S3_keeps_memory_far_below_the_file_size()
    {
        using var client = s3.CreateClient();
        var bucket = await S3TestBuckets.CreateAsync(client);
        var backend = new S3StorageBackend(client, S3TestBuckets.Options(s3, bucket));

        var info = await MeasureAsync("S3 (8 MiB parts, 4 in "
            + "flight)", () => backend.UploadAsync("large/200MiB.bin", new GeneratedStream(Size),
                new StorageUploadOptions { ContentType = "application/x-large" }));

        await AssertStoredAsync(backend, info);
        await S3TestBuckets.DeleteAsync(client, bucket);
    }

    [Promise("P-CLOUD-01")]
    [Fact]
    public async Task A_200_MiB_upload_to_Azure_Blob_keeps_memory_far_below_the_file_size()
    {
        var container = azurite.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await container.CreateAsync();
        using var backend = new AzureBlobStorageBackend(container);

        var info = await MeasureAsync("Azure Blob (8 MiB blocks, 4 in "
            + "flight)", () => backend.UploadAsync("large/200MiB.bin", new GeneratedStream(Size),
                new StorageUploadOptions { ContentType = "application/x-large" }));

        await AssertStoredAsync(backend, info);
        await container.DeleteAsync();
    }

    private static async Task AssertStoredAsync(IStorageBackend backend, StoredObjectInfo info)
    {
        Assert.Equal(Size, info.Size);
        Assert.Equal(Size, (await backend.GetInfoAsync("large/200MiB.bin")).Size);

        // The last kilobyte is the generator's last kilobyte: every part landed, in order.
        var expected = new byte[1024];
        var generator = new GeneratedStream(Size);
        var skip = new byte[1024 * 1024];
        for (long left = Size - 1024; left > 0; left -= generator.Read(skip, 0, (int)Math.Min(skip.Length, left)))
        {
        }

        generator.ReadExactly(expected);
        await using var tail = await backend.OpenReadAsync("large/200MiB.bin", new StorageRange(Size - 1024));
        var actual = new byte[1024];
        await tail.ReadExactlyAsync(actual);
        Assert.Equal(expected, actual);
    }

    private async Task<StoredObjectInfo> MeasureAsync(string what, Func<Task<StoredObjectInfo>> upload)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        long managedPeak = managedBefore;
        long workingSetPeak = workingSetBefore;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            using var self = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(forceFullCollection: false));
                self.Refresh();
                workingSetPeak = Math.Max(workingSetPeak, self.WorkingSet64);
                Thread.Sleep(5);
            }
        }) { IsBackground = true, Name = "memory sampler" };
        sampler.Start();
        StoredObjectInfo info;
        try
        {
            info = await upload();
        }
        finally
        {
            await stop.CancelAsync();
            sampler.Join();
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var managedGrowth = managedPeak - managedBefore;
        var workingSetGrowth = workingSetPeak - workingSetBefore;
        output.WriteLine($"{what}: 200 MiB uploaded; managed heap peak growth {Mib(managedGrowth)}, working set peak growth "
            + $"{Mib(workingSetGrowth)}, allocated in total {Mib(allocated)}.");
        Console.WriteLine($"[memory] {what}: managed peak +{Mib(managedGrowth)}, working set peak +{Mib(workingSetGrowth)}, allocated {Mib(allocated)}");

        Assert.True(managedGrowth < ManagedBound, $"{what}: the managed heap grew by {Mib(managedGrowth)} for a 200 MiB upload; the bound is "
            + $"{Mib(ManagedBound)}.");
        Assert.True(workingSetGrowth < WorkingSetBound, $"{what}: the working set grew by {Mib(workingSetGrowth)} for a 200 MiB upload; the "
            + $"bound is {Mib(WorkingSetBound)}.");
        return info;
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):0.0} MiB";
}
