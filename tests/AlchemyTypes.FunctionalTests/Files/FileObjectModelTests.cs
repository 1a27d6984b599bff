using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AlchemyTypes.FunctionalTests.Files;

public sealed class MisconfiguredEntity
{
    public int Id { get; set; }

    [FileStorage("archive")]
    public FileObject? File { get; set; }
}

public sealed class MisconfiguredContext(DbContextOptions<MisconfiguredContext> options) : DbContext(options)
{
    public DbSet<MisconfiguredEntity> Entities => Set<MisconfiguredEntity>();
}

public sealed class FileObjectModelTests
{
    private static readonly InMemoryStorageBackend Files = new();

    [Promise("P-FILE-06")]
    [Fact]
    public void A_property_naming_an_unregistered_backend_fails_when_the_model_is_first_used()
    {
        var options = new DbContextOptionsBuilder<MisconfiguredContext>().ForTests().UseSqlite("Data Source=:memory:")
            .AddAlchemyTypes(a => a.AddStorage("files", Files)).Options;
        using var context = new MisconfiguredContext(options);
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => context.Model);
        Assert.Contains("MisconfiguredEntity.File", error.Message, StringComparison.Ordinal);
        Assert.Contains("'archive'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileObject_properties_without_any_storage_fail_when_the_model_is_first_used()
    {
        var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite("Data Source=:memory:").AddAlchemyTypes().Options;
        using var context = new LifecycleContext(options);
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => context.Model);
        Assert.Contains("AddStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contexts_configured_alike_share_one_EF_service_provider_and_model()
    {
        // Backends are part of the model cache key by identity: registering the same instances (as an application does,
        // once) in 30 freshly built option sets must give one model, even with a different clock per context.
        LifecycleContext Create() => new(new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite("Data Source=:memory:")
            .AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Files).UseTimeProvider(new FixedClock())).Options);

        using var first = Create();
        for (var i = 0; i < 30; i++)
        {
            using var other = Create();
            Assert.Same(first.Model, other.Model);
        }

        using var different = new LifecycleContext(new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite("Data Source=:memory:")
            .AddAlchemyTypes(a => a.AddStorage("files", new InMemoryStorageBackend()).AddStorage("secondary", Files)).Options);
        Assert.NotSame(first.Model, different.Model);
    }

    private sealed class FixedClock : TimeProvider;

    [Promise("P-FILE-01")]
    [Fact]
    public void FileObject_properties_are_discovered_by_convention_with_no_configuration()
    {
        var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseSqlite("Data Source=:memory:")
            .AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Files)).Options;
        using var context = new LifecycleContext(options);
        var document = context.Model.FindEntityType(typeof(Document))!;
        Assert.NotNull(document.FindProperty(nameof(Document.File)));
        Assert.NotNull(document.FindProperty(nameof(Document.Attachments)));
        Assert.Null(context.Model.FindEntityType(typeof(FileObject)));
        var outbox = context.Model.FindEntityType(typeof(PendingStorageDelete))!;
        Assert.Equal(PendingStorageDelete.TableName, outbox.GetTableName());
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresFileObjectColumnTests(PostgresServerFixture server)
{
    private static readonly InMemoryStorageBackend Files = new();

    [Promise("P-FILE-01", "P-FILE-02")]
    [Fact]
    public async Task FileObject_columns_are_jsonb_and_hold_the_documented_json()
    {
        var connectionString = await server.CreateDatabaseAsync("jsonb");
        try
        {
            var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseNpgsql(connectionString)
                .AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Files)).Options;
            await using (var context = new LifecycleContext(options))
            {
                await context.Database.EnsureCreatedAsync();
                context.Add(new Document { Name = "json", File = FileObject.FromBytes("hello"u8, "hello.txt") });
                await context.SaveChangesAsync();
            }

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using (var type = new NpgsqlCommand("SELECT data_type FROM information_schema.columns WHERE table_name = 'Documents' AND "
                + "column_name = 'File'", connection))
            {
                Assert.Equal("jsonb", await type.ExecuteScalarAsync());
            }

            await using var query = new NpgsqlCommand("""SELECT "File"->>'filename', ("File"->>'size')::int, "File"->>'backend', "File"->>'checksum' FROM "Documents" """, connection);
            await using var reader = await query.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal("hello.txt", reader.GetString(0));
            Assert.Equal(5, reader.GetInt32(1));
            Assert.Equal("files", reader.GetString(2));
            Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", reader.GetString(3));
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }
}
