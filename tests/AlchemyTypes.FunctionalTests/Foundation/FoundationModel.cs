using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Foundation;

public sealed class Meeting : UuidV7AuditEntity
{
    public string Title { get; set; } = "";

    public DateTime StartsAt { get; set; }

    public DateTime? EndsAt { get; set; }

    /// <summary>Opted out: stored as given (a legacy "timestamp without time zone" column on PostgreSQL).</summary>
    [NoUtcEnforcement]
    public DateTime? LocalWallClock { get; set; }
}

public sealed class V6Row : UuidV6Entity
{
    public int Sequence { get; set; }
}

public sealed class V4Row : UuidEntity
{
    public int Sequence { get; set; }
}

public sealed class NanoRow : NanoidAuditEntity
{
    public string Name { get; set; } = "";
}

public sealed class BigRow : BigIntAuditEntity
{
    public string Name { get; set; } = "";
}

public sealed class FoundationContext(DbContextOptions<FoundationContext> options) : DbContext(options)
{
    public DbSet<Meeting> Meetings => Set<Meeting>();

    public DbSet<V6Row> V6Rows => Set<V6Row>();

    public DbSet<V4Row> V4Rows => Set<V4Row>();

    public DbSet<NanoRow> NanoRows => Set<NanoRow>();

    public DbSet<BigRow> BigRows => Set<BigRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (Database.IsNpgsql())
        {
            // Npgsql writes timestamptz only from UTC values; an opted-out property keeps the legacy column type.
            modelBuilder.Entity<Meeting>().Property(m => m.LocalWallClock).HasColumnType("timestamp without time zone");
        }
    }
}

public sealed class FixedAuditUser(string? user) : IAuditUserAccessor
{
    public string? User { get; set; } = user;

    public string? GetCurrentUser() => User;
}
