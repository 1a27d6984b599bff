using AlchemyTypes;
using AlchemyTypes.CrashWorker;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.S3;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.EntityFrameworkCore;

// Usage: CrashWorker <sqlite|postgres> <connection string> <local|s3> <folder | serviceUrl,bucket> <seed> [hang:<phase>:<n>]
// Writes "ready" once warm, then for each save "B <name> <version>" before SaveChanges and "C <name> <version>" after it
// returns (version -1 = the row is deleted). Runs until killed; with hang:<phase>:<n>, writes "P <phase>" and blocks the
// n-th time it reaches the phase (see CrashPoint), so the kill lands exactly there.
if (args.Length is not (5 or 6))
{
    await Console.Error.WriteLineAsync(
        "usage: CrashWorker <sqlite|postgres> <connection string> <local|s3> <folder | serviceUrl,bucket> <seed> [hang:<phase>:<n>]");
    return 2;
}

var output = Console.Out;
var crashPoint = CrashPoint.Parse(args.Length == 6 ? args[5] : null, output);
using var listener = crashPoint?.Listen();

var seed = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
IStorageBackend backend;
if (args[2] == "local")
{
    backend = new LocalFileSystemStorageBackend(args[3]);
}
else
{
    var parts = args[3].Split(',');
    var client = new AmazonS3Client(
        new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config
        {
            ServiceURL = parts[0],
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            UseHttp = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
    backend = new S3StorageBackend(client, new S3StorageOptions { BucketName = parts[1], UseChunkEncoding = false, UseConditionalWrites = false });
}

var builder = new DbContextOptionsBuilder<CrashContext>();
_ = args[0] == "sqlite" ? builder.UseSqlite(args[1]) : builder.UseNpgsql(args[1]);
builder.AddAlchemyTypes(a => a.AddStorage("files", backend));
if (crashPoint is not null)
{
    builder.AddInterceptors(crashPoint);
}

var options = builder.Options;

var random = new Random(seed);
var mine = new List<(string Name, int Version)>();
var sequence = 0;
var ready = false;
while (true)
{
    await using var context = new CrashContext(options);
    var choice = mine.Count == 0 ? 0 : random.Next(4);
    if (choice <= 1)
    {
        var name = $"{seed}-{sequence++}";
        output.WriteLine($"B {name} 0");
        context.Items.Add(new CrashItem { Name = name, File = FileObject.FromBytes(CrashContent.Create(name, 0), name + ".bin") });
        await context.SaveChangesAsync();
        output.WriteLine($"C {name} 0");
        mine.Add((name, 0));
    }
    else
    {
        var index = random.Next(mine.Count);
        var (name, version) = mine[index];
        var item = await context.Items.SingleAsync(i => i.Name == name);
        var next = choice == 2 ? version + 1 : -1;
        output.WriteLine($"B {name} {next}");
        if (next < 0)
        {
            context.Items.Remove(item);
        }
        else
        {
            item.File = FileObject.FromBytes(CrashContent.Create(name, next), name + ".bin");
        }

        await context.SaveChangesAsync();
        output.WriteLine($"C {name} {next}");
        if (next < 0)
        {
            mine.RemoveAt(index);
        }
        else
        {
            mine[index] = (name, next);
        }
    }

    if (!ready)
    {
        ready = true;
        output.WriteLine("ready");
    }

    output.Flush();
}
