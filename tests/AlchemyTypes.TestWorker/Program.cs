using AlchemyTypes;
using AlchemyTypes.Storage;
using AlchemyTypes.TestWorker;
using Microsoft.EntityFrameworkCore;

// Usage: AlchemyTypes.TestWorker <npgsql connection string> <local storage root> <deleted-keys log> <stop file>
// Processes recorded deletes in a loop until the stop file exists, then once more, and writes every key whose delete it saw
// succeed to the log (one a line). Exit code 0 on success; any exception is printed and exits 1.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: AlchemyTypes.TestWorker <connection string> <storage root> <deleted-keys log> <stop file>");
    return 2;
}

var (connection, root, log, stop) = (args[0], args[1], args[2], args[3]);
var storage = new DeleteLoggingStorageBackend(new LocalFileSystemStorageBackend(root));
var options = new DbContextOptionsBuilder<WorkerContext>()
    .UseNpgsql(connection)
    .AddAlchemyTypes(a => a.AddStorage("files", storage))
    .Options;
var deleted = 0;
var passes = 0;
try
{
    var last = false;
    while (true)
    {
        last = File.Exists(stop);
        await using (var context = new WorkerContext(options))
        {
            var report = await context.ProcessPendingStorageDeletesAsync(batchSize: 50);
            deleted += report.Deleted;
            passes++;
            if (report.Deleted == 0 && !last)
            {
                await Task.Delay(10);
            }
        }

        if (last)
        {
            break;
        }
    }

    await File.WriteAllLinesAsync(log, storage.DeletedKeys);
    Console.WriteLine($"worker {Environment.ProcessId}: {passes} passes, {deleted} recorded deletes processed, {storage.DeletedKeys.Count} keys deleted");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"worker {Environment.ProcessId} failed: {e}");
    await File.WriteAllLinesAsync(log, storage.DeletedKeys);
    return 1;
}
