using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Encryption;

public sealed class Vault
{
    public int Id { get; set; }

    public string Label { get; set; } = "";

    [Encrypted(BlindIndex = true)]
    public string Email { get; set; } = "";

    [Encrypted(BlindIndex = true)]
    public string? BackupEmail { get; set; }

    [Encrypted]
    public string? Secret { get; set; }
}

public sealed class Archive
{
    public int Id { get; set; }

    [Encrypted]
    public string? Secret { get; set; }
}

public sealed class VaultContext(DbContextOptions<VaultContext> options) : DbContext(options)
{
    public DbSet<Vault> Vaults => Set<Vault>();

    public DbSet<Archive> Archives => Set<Archive>();
}
