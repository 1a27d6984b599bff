using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Foundation;

/// <summary>DateTime properties opted out in each documented way, next to an enforced one and a DateTimeOffset.</summary>
public sealed class Reading
{
    public int Id { get; set; }

    /// <summary>Enforced by convention.</summary>
    public DateTime TakenAt { get; set; }

    /// <summary>Opted out fluently with <c>HasUtcEnforcement(false)</c>.</summary>
    public DateTime? FluentWallClock { get; set; }

    /// <summary>Has a converter of the application's own (ticks, kind dropped): AlchemyTypes leaves it alone.</summary>
    public DateTime? OwnConverter { get; set; }

    public DateTimeOffset? Offset { get; set; }
}

/// <summary>Non-key properties with the key generators, by attribute and fluently.</summary>
public sealed class GeneratedKeys
{
    public int Id { get; set; }

    [UuidV7]
    public Guid ByAttributeV7 { get; set; }

    [UuidV6]
    public Guid ByAttributeV6 { get; set; }

    [UuidV4]
    public Guid ByAttributeV4 { get; set; }

    /// <summary>Generated when null on add (a string initialised to "" is a value, and is kept).</summary>
    [Nanoid(Size = 12)]
    public string ByAttributeNanoid { get; set; } = null!;

    public Guid FluentV7 { get; set; }

    public Guid FluentV6 { get; set; }

    public string FluentNanoid { get; set; } = null!;
}

public sealed class UtcOptionsContext(DbContextOptions<UtcOptionsContext> options) : DbContext(options)
{
    public DbSet<Reading> Readings => Set<Reading>();

    public DbSet<GeneratedKeys> Keys => Set<GeneratedKeys>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var reading = modelBuilder.Entity<Reading>();
        reading.Property(r => r.FluentWallClock).HasUtcEnforcement(false);
        reading.Property(r => r.OwnConverter).HasConversion(v => v!.Value.Ticks, v => new DateTime(v));
        if (Database.IsNpgsql())
        {
            reading.Property(r => r.FluentWallClock).HasColumnType("timestamp without time zone");
        }

        var keys = modelBuilder.Entity<GeneratedKeys>();
        keys.Property(k => k.FluentV7).HasUuidV7Generator();
        keys.Property(k => k.FluentV6).HasUuidV6Generator();
        keys.Property(k => k.FluentNanoid).HasNanoidGenerator(8, "abcdef");
    }
}

/// <summary>The same readings in a model built with <c>EnforceUtcDateTimes(false)</c>.</summary>
public sealed class UnenforcedContext(DbContextOptions<UnenforcedContext> options) : DbContext(options)
{
    public DbSet<Reading> Readings => Set<Reading>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var reading = modelBuilder.Entity<Reading>().ToTable("UnenforcedReadings");
        reading.Ignore(r => r.OwnConverter);
        if (Database.IsNpgsql())
        {
            // Npgsql writes timestamptz from UTC values only: an unenforced model keeps wall-clock columns.
            reading.Property(r => r.TakenAt).HasColumnType("timestamp without time zone");
            reading.Property(r => r.FluentWallClock).HasColumnType("timestamp without time zone");
        }
    }
}
