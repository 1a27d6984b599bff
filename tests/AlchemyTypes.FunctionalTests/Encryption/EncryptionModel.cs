using System.ComponentModel.DataAnnotations;
using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Encryption;

public sealed class Customer
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    [Encrypted(BlindIndex = true, MaxLength = 200)]
    public string Email { get; set; } = "";

    [Encrypted]
    public string? Notes { get; set; }

    /// <summary>Configured fluently in OnModelCreating, with a 10-character limit.</summary>
    public string? Pin { get; set; }

    /// <summary>A second blind-indexed property, for property-to-property comparisons.</summary>
    [Encrypted(BlindIndex = true)]
    public string? BackupEmail { get; set; }

    /// <summary>Encrypted with the plaintext limit given by <see cref="MaxLengthAttribute"/>.</summary>
    [Encrypted]
    [MaxLength(5)]
    public string? Code { get; set; }

    /// <summary>Encrypted fluently, with the plaintext limit given by <c>HasMaxLength</c>.</summary>
    public string? Tag { get; set; }
}

public sealed class EncryptionContext(DbContextOptions<EncryptionContext> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>().Property(c => c.Pin).IsEncrypted(maxLength: 10);
        modelBuilder.Entity<Customer>().Property(c => c.Tag).HasMaxLength(6).IsEncrypted();
    }
}
