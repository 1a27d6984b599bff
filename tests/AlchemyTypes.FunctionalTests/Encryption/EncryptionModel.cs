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
}

public sealed class EncryptionContext(DbContextOptions<EncryptionContext> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
        => modelBuilder.Entity<Customer>().Property(c => c.Pin).IsEncrypted(maxLength: 10);
}

/// <summary>
/// Key rings of one test class. A ring is part of EF Core's service-provider key (it is baked into the model), so rings
/// are created once per database engine, as an application creates one at startup, not once per test.
/// </summary>
public sealed class EncryptionRings
{
    public static readonly byte[] BlindKey = EncryptionKeyRing.GenerateKey();

    public EncryptionKeyRing Main { get; } = new EncryptionKeyRing().Add("k1", EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(BlindKey);

    /// <summary>Mutated by the rotation test only.</summary>
    public EncryptionKeyRing Rotating { get; } = new EncryptionKeyRing().Add("2024", EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(BlindKey);

    /// <summary>Same key id as <see cref="Main"/>, different key: never given to a context, only used to forge values.</summary>
    public EncryptionKeyRing Impostor { get; } = new EncryptionKeyRing().Add("k1", EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(BlindKey);
}
