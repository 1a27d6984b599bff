using AlchemyTypes.Encryption;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Passwords;
using AlchemyTypes.Sample.Data;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AlchemyTypes.FunctionalTests.Sample;

/// <summary>The sample's committed migrations, applied to empty SQLite and PostgreSQL databases, then used.</summary>
public abstract class SampleMigrationTests<TContext>(ITestStore store) : IAsyncLifetime
    where TContext : SampleDbContext
{
    private static readonly InMemoryStorageBackend Files = new();
    private static readonly EncryptionKeyRing Keys = new EncryptionKeyRing()
        .Add("test", EncryptionKeyRing.GenerateKey(), makeCurrent: true)
        .SetBlindIndexKey(EncryptionKeyRing.GenerateKey());

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await store.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    protected abstract TContext Create(DbContextOptions<TContext> options);

    private TContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", Files).UseEncryption(Keys).UseArgon2(o => o.MemorySizeKiB = 8 * 1024));
        return Create(builder.Options);
    }

    [Promise("P-MIG-01")]
    [Fact]
    public async Task Committed_migrations_create_every_table_and_match_the_model()
    {
        await using var context = CreateContext();
        Assert.Single(context.Database.GetMigrations(), m => m.EndsWith("_Initial", StringComparison.Ordinal));
        await context.Database.MigrateAsync();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.False(context.Database.HasPendingModelChanges(), "the model has changes that no committed migration captures: add a migration");
        Assert.Equal(0, await context.Set<PendingStorageDelete>().CountAsync());
    }

    [Promise("P-MIG-01")]
    [Fact]
    public async Task Data_round_trips_through_the_migrated_schema()
    {
        await using (var context = CreateContext())
        {
            await context.Database.MigrateAsync();
            var user = new User { Email = "ada@example.com", DisplayName = "Ada", Password = PasswordHash.FromPassword("correct horse battery staple") };
            context.Add(user);
            context.Add(new Document
            {
                OwnerId = user.Id,
                Title = "Notes",
                File = FileObject.FromBytes("migrated"u8, "notes.txt"),
                Attachments = [FileObject.FromBytes("a"u8, "a.txt")],
            });
            await context.SaveChangesAsync();
        }

        await using (var context = CreateContext())
        {
            var user = await context.Users.SingleAsync(u => u.Email == "ada@example.com");
            Assert.True(user.Password.Verify("correct horse battery staple"));
            var document = await context.Documents.SingleAsync(d => d.OwnerId == user.Id);
            Assert.Equal("migrated", System.Text.Encoding.UTF8.GetString(await document.File!.GetBytesAsync()));
            Assert.Single(document.Attachments);
            context.Remove(document);
            await context.SaveChangesAsync();
            Assert.False(await Files.ExistsAsync(document.File.Key));
        }

        Assert.StartsWith("v2:test:", await ReadRawEmail(), StringComparison.Ordinal);
    }

    private async Task<string> ReadRawEmail()
    {
        const string sql = "SELECT \"Email\" FROM \"Users\"";
        if (store is SqliteTestStore)
        {
            await using var connection = new SqliteConnection(_database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new SqliteCommand(sql, connection);
            return (string)(await command.ExecuteScalarAsync())!;
        }

        await using var pg = new NpgsqlConnection(_database.ConnectionString);
        await pg.OpenAsync();
        await using var pgCommand = new NpgsqlCommand(sql, pg);
        return (string)(await pgCommand.ExecuteScalarAsync())!;
    }
}

public sealed class SqliteSampleMigrationTests() : SampleMigrationTests<SqliteSampleDbContext>(new SqliteTestStore())
{
    protected override SqliteSampleDbContext Create(DbContextOptions<SqliteSampleDbContext> options) => new(options);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSampleMigrationTests(PostgresServerFixture server) : SampleMigrationTests<PostgresSampleDbContext>(new PostgresTestStore(server))
{
    protected override PostgresSampleDbContext Create(DbContextOptions<PostgresSampleDbContext> options) => new(options);
}
