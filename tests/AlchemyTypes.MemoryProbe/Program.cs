using System.Globalization;
using AlchemyTypes;
using AlchemyTypes.Benchmarks;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;

// Saves one large non-seekable stream through one backend and prints how much this process's resident memory grew.
// Usage: dotnet AlchemyTypes.MemoryProbe.dll <local|memory|s3|azure> [MiB, default 1024]
// Run it under `/usr/bin/time -v` as well: its "Maximum resident set size" is the whole process's peak.
// The test servers (s3rver, Azurite) are child processes: their memory is not counted.
if (args.Length < 1 || args[0] is not ("local" or "memory" or "s3" or "azure"))
{
    Console.Error.WriteLine("usage: AlchemyTypes.MemoryProbe <local|memory|s3|azure> [MiB]");
    return 2;
}

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var store = args[0];
var mib = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
var size = mib * 1024 * 1024;
const string Key = "probe/large.bin";

BenchmarkServer? server = null;
IStorageBackend backend;
Func<Task> cleanup = () => Task.CompletedTask;
string? root = null;
switch (store)
{
    case "local":
        root = Path.Combine(Path.GetTempPath(), "alchemytypes-probe-" + Guid.NewGuid().ToString("N"));
        backend = new LocalFileSystemStorageBackend(root);
        break;
    case "memory":
        backend = new InMemoryStorageBackend();
        break;
    case "s3":
        server = await BenchmarkServer.StartS3rverAsync();
        var s3 = server.CreateS3Client();
        var bucket = "probe-" + Guid.NewGuid().ToString("N")[..12];
        await s3.PutBucketAsync(bucket);
        backend = new S3StorageBackend(s3, new S3StorageOptions { BucketName = bucket, UseChunkEncoding = false, UseConditionalWrites = false });
        break;
    default:
        server = await BenchmarkServer.StartAzuriteAsync();
        var container = server.CreateBlobServiceClient().GetBlobContainerClient("probe-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync();
        backend = new AzureBlobStorageBackend(container);
        break;
}

try
{
    // Load the SDK and the HTTP stack (one request) without uploading: the upload path's own buffers must count.
    _ = await backend.ExistsAsync("probe/warm-up");
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var before = Status("VmRSS");
    ResetPeak();

    var info = await backend.UploadAsync(Key, new GeneratedStream(size), new StorageUploadOptions { Overwrite = true });

    var peak = Status("VmHWM");
    if (info.Size != size)
    {
        throw new InvalidOperationException($"{store} stored {info.Size} bytes, not {size}.");
    }

    var allocated = GC.GetTotalAllocatedBytes(precise: true) / (1024.0 * 1024);
    Console.WriteLine(
        $"{store}: {mib} MiB non-seekable upload; resident before {before / 1024.0:0.0} MiB, peak {peak / 1024.0:0.0} MiB, "
        + $"growth {(peak - before) / 1024.0:0.0} MiB; managed allocated {allocated:0.0} MiB");
    await backend.DeleteAsync(Key);
    return 0;
}
finally
{
    (backend as IDisposable)?.Dispose();
    if (server is not null)
    {
        await server.DisposeAsync();
    }

    if (root is not null && Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

// A field of /proc/self/status, in KiB.
static long Status(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(field + ":", StringComparison.Ordinal))
        {
            return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
    }

    throw new InvalidOperationException($"/proc/self/status has no {field} (Linux only).");
}

// Writing 5 to clear_refs resets the peak resident set size (VmHWM) to the current one (Linux 4.0 and later).
static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");
