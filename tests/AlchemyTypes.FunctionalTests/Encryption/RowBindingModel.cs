using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Encryption;

/// <summary>Client-generated keys: values bound to their row.</summary>
public sealed class MedicalRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public string Patient { get; set; } = "";

    [Encrypted(BindToRow = true, MaxLength = 200)]
    public string? Diagnosis { get; set; }

    [Encrypted(BindToRow = true, BlindIndex = true)]
    public string Email { get; set; } = "";

    [Encrypted]
    public string? Note { get; set; }
}

/// <summary>A database-generated key: its values cannot be bound to a row that does not exist yet.</summary>
public sealed class Ticket
{
    public int Id { get; set; }

    public string? Secret { get; set; }
}

public sealed class RowBindingContext(DbContextOptions<RowBindingContext> options) : DbContext(options)
{
    public DbSet<MedicalRecord> Records => Set<MedicalRecord>();

    public DbSet<Ticket> Tickets => Set<Ticket>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
        => modelBuilder.Entity<Ticket>().Property(t => t.Secret).IsEncrypted().IsBoundToRow();
}
