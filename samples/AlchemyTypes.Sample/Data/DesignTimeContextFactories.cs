using AlchemyTypes.Encryption;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AlchemyTypes.Sample.Data;

/// <summary>
/// What <c>dotnet ef migrations add</c> uses to build the model. AlchemyTypes needs its services to build a model (a
/// storage backend, so the outbox table and FileObject columns exist; a key ring, so encrypted columns and their blind
/// indexes exist; a hasher for PasswordHash). No key or file is used at design time, so throw-away ones do.
/// </summary>
internal static class DesignTime
{
    public static DbContextOptionsBuilder<TContext> Configure<TContext>(DbContextOptionsBuilder<TContext> builder)
        where TContext : DbContext
    {
        builder.AddAlchemyTypes(a => a
            .AddStorage("files", new InMemoryStorageBackend())
            .UseEncryption(new EncryptionKeyRing().Add("design", EncryptionKeyRing.GenerateKey(),
                makeCurrent: true).SetBlindIndexKey(EncryptionKeyRing.GenerateKey()))
            .UseArgon2());
        return builder;
    }
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSampleDbContext>
{
    public SqliteSampleDbContext CreateDbContext(string[] args)
        => new(DesignTime.Configure(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite("Data Source=design.db")).Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSampleDbContext>
{
    public PostgresSampleDbContext CreateDbContext(string[] args)
        => new(DesignTime.Configure(new DbContextOptionsBuilder<PostgresSampleDbContext>().UseNpgsql("Host=127.0.0.1;Database=design")).Options);
}
