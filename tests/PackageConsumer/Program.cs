// A program outside the solution that uses the packed packages: if a package misses a dependency or a type, it fails here.
using AlchemyTypes;
using AlchemyTypes.Encryption;
using AlchemyTypes.Passwords;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var root = Path.Combine(Path.GetTempPath(), "alchemytypes-consumer-" + Guid.NewGuid().ToString("N"));
try
{
    var storage = new LocalFileSystemStorageBackend(Path.Combine(root, "files"));
    var ring = new EncryptionKeyRing().Add("k1", EncryptionKeyRing.GenerateKey());
    var options = new DbContextOptionsBuilder<ConsumerContext>()
        .UseSqlite($"Data Source={Path.Combine(root, "app.db")}")
        .AddAlchemyTypes(a => a.AddStorage("files", storage).UseEncryption(ring)
            .UseSodiumArgon2(o => o.MemorySizeKiB = 1024).UseArgon2(o => o.MemorySizeKiB = 1024).UseBCrypt())
        .Options;

    Guid id;
    await using (var db = new ConsumerContext(options))
    {
        await db.Database.EnsureCreatedAsync();
        var note = new Note
        {
            Title = "hello",
            Attachment = FileObject.FromBytes("packed and consumed"u8, "note.txt"),
            Secret = "encrypted at rest",
            Password = PasswordHash.FromPassword("pw"),
        };
        db.Add(note);
        await db.SaveChangesAsync();
        id = note.Id;
    }

    await using (var db = new ConsumerContext(options))
    {
        var note = await db.Notes.SingleAsync(n => n.Id == id);
        var text = System.Text.Encoding.UTF8.GetString(await note.Attachment!.GetBytesAsync());
        if (text != "packed and consumed" || note.CreatedAt.Kind != DateTimeKind.Utc || note.Id.Version != 7
            || note.Secret != "encrypted at rest" || note.Password?.Verify("pw") != true
            || !new AlchemyTypes.Argon2.Argon2PasswordHasher(new AlchemyTypes.Argon2.Argon2Options { MemorySizeKiB = 1024 })
                .Verify("pw"u8, note.Password.EncodedHash!))
        {
            Console.Error.WriteLine($"package consumer: unexpected result '{text}', {note.CreatedAt.Kind}, v{note.Id.Version}");
            return 1;
        }

        _ = AlchemyTypes.AspNetCore.FileObjectResults.Stream(note.Attachment);
    }

    // The health checks of AlchemyTypes.AspNetCore run from the packages (ASP.NET Core's HealthCheckService): storage and backlog healthy.
    var services = new ServiceCollection();
    services.AddLogging();
    services.AddScoped(_ => new ConsumerContext(options));
    services.AddHealthChecks().AddAlchemyTypesStorage<ConsumerContext>().AddAlchemyTypesPendingDeletes<ConsumerContext>();
    await using (var provider = services.BuildServiceProvider())
    {
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        if (report.Status != HealthStatus.Healthy || report.Entries.Count != 2 || AlchemyTypesDiagnostics.MeterName != "AlchemyTypes")
        {
            Console.Error.WriteLine("package consumer: health checks " + string.Join("; ", report.Entries.Select(e => $"{e.Key} {e.Value.Status} {e.Value.Description}")));
            return 1;
        }
    }

    // The cloud provider packages load with their SDKs (built offline: nothing here sends a request).
    var s3 = new AlchemyTypes.Storage.S3.S3StorageBackend(
        new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("key", "secret"),
            new Amazon.S3.AmazonS3Config { ServiceURL = "http://127.0.0.1:9", ForcePathStyle = true }),
        new AlchemyTypes.Storage.S3.S3StorageOptions { BucketName = "consumer" });
    var azure = new AlchemyTypes.Storage.Azure.AzureBlobStorageBackend(new Azure.Storage.Blobs.BlobContainerClient("UseDevelopmentStorage=true", "consumer"));
    if (!s3.CanSignUrls || !azure.CanSignUrls)
    {
        Console.Error.WriteLine("package consumer: the cloud backends should be able to sign URLs");
        return 1;
    }

    Console.WriteLine("package consumer: OK");
    return 0;
}
finally
{
    Directory.Delete(root, recursive: true);
}

public sealed class Note : UuidV7AuditEntity
{
    public string Title { get; set; } = "";

    public FileObject? Attachment { get; set; }

    [Encrypted]
    public string? Secret { get; set; }

    public PasswordHash? Password { get; set; }
}

public sealed class ConsumerContext(DbContextOptions<ConsumerContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}
