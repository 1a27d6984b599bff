using System.Diagnostics;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>Memory measurements are process-wide: this collection runs alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurements";
}

[Collection(MemoryMeasurementCollection.Name)]
public sealed class LargeFileMemoryTests : IDisposable
{
    private const long OneGiB = 1024L * 1024 * 1024;
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-large");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Saving_a_1_GiB_stream_keeps_memory_far_below_the_file_size()
    {
        var backend = new LocalFileSystemStorageBackend(Path.Combine(_root, "files"));
        var databasePath = Path.Combine(_root, "large.db");
        var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite($"Data Source={databasePath};Pooling=False")
            .AddAlchemyTypes(a => a.AddStorage("files", backend).AddStorage("secondary", backend)).Options;
        await using var context = new LifecycleContext(options);
        await context.Database.EnsureCreatedAsync();

        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var document = new Document { Name = "large", File = FileObject.FromStream(new GeneratedStream(OneGiB), "large.bin") };
        context.Add(document);
        await context.SaveChangesAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(OneGiB, document.File!.Size);
        Assert.Equal(OneGiB, new FileInfo(Path.Combine(backend.RootDirectory, document.File.Key)).Length);
        // Everything the save allocated, in all: a streaming upload allocates its buffers, never the content.
        Assert.True(allocated < 32L * 1024 * 1024, $"saving 1 GiB allocated {allocated / 1024 / 1024} MiB");
        Console.WriteLine($"1 GiB FileObject save: {allocated / 1024.0 / 1024.0:F1} MiB allocated in total");
    }
}
