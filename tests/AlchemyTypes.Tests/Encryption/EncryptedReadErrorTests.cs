using AlchemyTypes.Encryption;
using AlchemyTypes.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Tests.Encryption;

/// <summary>What a caller catches when a stored value cannot be decrypted during a query (SQLite in memory).</summary>
public sealed class EncryptedReadErrorTests
{
    private static readonly EncryptionKeyRing Ring = new EncryptionKeyRing().Add("k1", EncryptionKeyRing.GenerateKey());

    public sealed class Vault
    {
        public int Id { get; set; }

        [Encrypted]
        public string? Secret { get; set; }
    }

    private sealed class VaultContext(DbContextOptions options) : DbContext(options)
    {
        public DbSet<Vault> Vaults => Set<Vault>();
    }

    [Promise("P-ENC-04", "P-ENC-05")]
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Corrupted_value_surfaces_as_the_typed_exception_or_as_the_inner_exception_with_detailed_errors(bool detailedErrors)
    {
        await using var connection = new SqliteConnection("DataSource=:memory:");
        await connection.OpenAsync();
        var builder = new DbContextOptionsBuilder().UseSqlite(connection).AddAlchemyTypes(a => a.UseEncryption(Ring));
        if (detailedErrors)
        {
            builder.EnableDetailedErrors();
        }

        await using var context = new VaultContext(builder.Options);
        await context.Database.EnsureCreatedAsync();
        context.Add(new Vault { Secret = "s" });
        await context.SaveChangesAsync();
        context.ChangeTracker.Clear();
        await context.Database.ExecuteSqlRawAsync("UPDATE \"Vaults\" SET \"Secret\" = 'v1:k1:AAAA'");

        var error = await Record.ExceptionAsync(() => context.Vaults.ToListAsync());
        EncryptedValueException typed;
        if (detailedErrors)
        {
            // EF Core wraps read errors in InvalidOperationException naming the property when detailed errors are on.
            var wrapper = Assert.IsType<InvalidOperationException>(error);
            Assert.Contains("Vault.Secret", wrapper.Message, StringComparison.Ordinal);
            typed = Assert.IsType<EncryptedValueException>(wrapper.InnerException);
        }
        else
        {
            typed = Assert.IsType<EncryptedValueException>(error);
        }

        Assert.Equal(EncryptedValueFailure.Truncated, typed.Failure);
        Assert.Equal(nameof(Vault), typed.EntityType);
        Assert.Equal(nameof(Vault.Secret), typed.Property);
    }
}
