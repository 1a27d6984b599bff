using System.Collections.Concurrent;
using System.Text;
using AlchemyTypes.FunctionalTests.Storage;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// Saving again after a failed save (bytes, a file path, a seekable stream, a consumed one-shot stream), the fluent
/// validators and <c>StoredIn</c>, and orphans logged when an upload cannot be removed; on SQLite with in-memory storage.
/// </summary>
public sealed class FileObjectRetryAndValidationTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly FaultyStorageBackend _files = new(new InMemoryStorageBackend());
    private readonly FaultyStorageBackend _archive = new(new InMemoryStorageBackend());
    private readonly CapturingLoggerProvider _logs = new();
    private readonly string _folder = TestEnvironment.CreateTempDirectory("alchemytypes-retry");
    private ILoggerFactory _loggerFactory = null!;

    public async Task InitializeAsync()
    {
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs));
        await _connection.OpenAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
        context.Add(new Upload { Name = "taken" });
        await context.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _loggerFactory.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private UploadContext CreateContext()
        => new(new DbContextOptionsBuilder<UploadContext>().ForTests().UseSqlite(_connection).UseLoggerFactory(_loggerFactory)
            .AddAlchemyTypes(a => a.AddStorage("files", _files).AddStorage("archive", _archive)).Options);

    public static TheoryData<string> RereadableSources => new() { "bytes", "path", "seekable stream" };

    [Promise("P-FILE-04")]
    [Theory]
    [MemberData(nameof(RereadableSources))]
    public async Task A_FileObject_whose_save_failed_is_saved_again_from_its_source(string source)
    {
        var content = Encoding.UTF8.GetBytes($"content from {source}");
        var path = Path.Combine(_folder, "source.txt");
        await File.WriteAllBytesAsync(path, content);
        using var stream = new MemoryStream(content);
        var file = source switch
        {
            "bytes" => FileObject.FromBytes(content, "retry.txt"),
            "path" => FileObject.FromPath(path),
            _ => FileObject.FromStream(stream, "retry.txt"),
        };

        await using var context = CreateContext();
        var upload = new Upload { Name = "taken", File = file };
        context.Add(upload);
        await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync()); // the unique name is taken

        // The first attempt did upload, and that upload was removed: the store holds nothing, and the file is still pending.
        Assert.Equal(1, _files.UploadCount);
        Assert.False(await _files.ExistsAsync(file.Key));
        Assert.True(file.HasPendingContent);

        upload.Name = "free";
        await context.SaveChangesAsync();
        Assert.Equal(2, _files.UploadCount);
        Assert.True(file.IsStored);
        Assert.Equal(content, await file.GetBytesAsync());
        Assert.Equal((long)content.Length, file.Size);
    }

    [Promise("P-FILE-04")]
    [Fact]
    public async Task A_consumed_one_shot_stream_cannot_be_saved_again_and_says_so()
    {
        var file = FileObject.FromStream(new NonSeekableStream(new MemoryStream(Encoding.UTF8.GetBytes("read once"))), "once.txt");
        await using var context = CreateContext();
        var upload = new Upload { Name = "taken", File = file };
        context.Add(upload);
        await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        Assert.Equal(1, _files.UploadCount);

        upload.Name = "free";
        var error = await Assert.ThrowsAsync<FileObjectStateException>(() => context.SaveChangesAsync());
        Assert.Contains("once.txt", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _files.UploadCount);
        await using var check = CreateContext();
        Assert.Equal(["taken"], await check.Uploads.Select(u => u.Name).ToListAsync());
    }

    [Promise("P-FILE-05")]
    [Fact]
    public async Task Fluent_validators_refuse_files_before_anything_is_stored()
    {
        await using var context = CreateContext();
        var tooBig = new Upload { Name = "big", Checked = FileObject.FromBytes(new byte[11], "eleven.txt") };
        context.Add(tooBig);
        var size = await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
        Assert.EndsWith(nameof(Upload.Checked), size.Property, StringComparison.Ordinal);
        context.Remove(tooBig);

        var wrongType = new Upload { Name = "type", Checked = FileObject.FromBytes(new byte[3], "page.html") };
        context.Add(wrongType);
        var type = await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
        Assert.EndsWith(nameof(Upload.Checked), type.Property, StringComparison.Ordinal);
        context.Remove(wrongType);

        // Neither reached a backend.
        Assert.Equal(0, _files.UploadCount);
        Assert.Equal(0, _archive.UploadCount);

        // A stream of unknown length is stopped as soon as it passes the limit, long before its end, and leaves nothing.
        var source = new MemoryStream(new byte[4 * 1024 * 1024]);
        var endless = FileObject.FromStream(new NonSeekableStream(source), "endless.txt");
        context.Add(new Upload { Name = "stream", Checked = endless });
        await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
        Assert.InRange(source.Position, 11, source.Length - 1);
        Assert.False(await _archive.ExistsAsync(endless.Key));
        await using var check = CreateContext();
        Assert.Equal(["taken"], await check.Uploads.Select(u => u.Name).ToListAsync());
    }

    [Promise("P-FILE-05")]
    [Fact]
    public async Task StoredIn_puts_the_content_in_the_named_backend()
    {
        await using (var context = CreateContext())
        {
            context.Add(new Upload { Name = "archived", Checked = FileObject.FromBytes("ok"u8, "ok.txt"), File = FileObject.FromBytes("default"u8, "d.txt") });
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var stored = await check.Uploads.SingleAsync(u => u.Name == "archived");
        Assert.Equal(1, _archive.UploadCount);
        Assert.Equal("archive", stored.Checked!.Backend);
        Assert.True(await _archive.ExistsAsync(stored.Checked.Key));
        Assert.False(await _files.ExistsAsync(stored.Checked.Key));
        Assert.True(await _files.ExistsAsync(stored.File!.Key));
        Assert.Equal("ok", Encoding.UTF8.GetString(await stored.Checked.GetBytesAsync()));
    }

    [Promise("P-LIFE-10")]
    [Fact]
    public async Task An_upload_that_cannot_be_removed_is_logged_as_an_orphan_under_AlchemyTypes_FileObject()
    {
        var file = FileObject.FromBytes("orphan"u8, "orphan.txt");
        await using (var context = CreateContext())
        {
            context.Add(new Upload { Name = "taken", File = file });
            _files.FailDeletes = true;
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }

        Assert.True(await _files.ExistsAsync(file.Key), "the removal failed, so the object is still there");
        var entry = Assert.Single(_logs.Entries, e => e.Message.Contains("orphan", StringComparison.Ordinal));
        Assert.Equal("AlchemyTypes.FileObject", entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains(file.Key, entry.Message, StringComparison.Ordinal);
    }

    public sealed class Upload
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";

        public FileObject? File { get; set; }

        /// <summary>At most 10 bytes, text/plain only, stored in "archive": all configured fluently.</summary>
        public FileObject? Checked { get; set; }
    }

    public sealed class UploadContext(DbContextOptions<UploadContext> options) : DbContext(options)
    {
        public DbSet<Upload> Uploads => Set<Upload>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            var upload = modelBuilder.Entity<Upload>();
            upload.HasIndex(u => u.Name).IsUnique();
            upload.Property(u => u.Checked).HasMaxFileSize(10).HasAllowedContentTypes("text/plain").StoredIn("archive");
        }
    }

    private sealed record LogEntry(string Category, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception)));
        }
    }
}
