using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Sample.Data;

/// <summary>
/// The sample's model. Migrations are provider-specific, so each database has a context of its own (and a migrations
/// folder of its own): <see cref="SqliteSampleDbContext"/> and <see cref="PostgresSampleDbContext"/>.
/// </summary>
public abstract class SampleDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<Document> Documents => Set<Document>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Document>().HasIndex(d => d.OwnerId);
        modelBuilder.Entity<Document>().Property(d => d.Title).HasMaxLength(200);
        modelBuilder.Entity<User>().Property(u => u.DisplayName).HasMaxLength(100);
    }
}

public sealed class SqliteSampleDbContext(DbContextOptions<SqliteSampleDbContext> options) : SampleDbContext(options);

public sealed class PostgresSampleDbContext(DbContextOptions<PostgresSampleDbContext> options) : SampleDbContext(options);
