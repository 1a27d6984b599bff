using AlchemyTypes.Encryption;
using AlchemyTypes.Passwords;
using AlchemyTypes.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Tests.Passwords;

/// <summary>What EF Core logs with sensitive data logging on: hashes and ciphertexts, never the password.</summary>
public sealed class PasswordHashLoggingTests
{
    private static readonly EncryptionKeyRing Ring = new EncryptionKeyRing().Add("k1",
        EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(EncryptionKeyRing.GenerateKey());

    public sealed class Login
    {
        public int Id { get; set; }

        public PasswordHash? Password { get; set; }

        [Encrypted]
        public string? RecoveryCode { get; set; }
    }

    private sealed class LoginContext(DbContextOptions options) : DbContext(options)
    {
        public DbSet<Login> Logins => Set<Login>();
    }

    [Promise("P-PWD-10")]
    [Fact]
    public async Task Sensitive_data_logging_shows_neither_the_password_nor_the_encrypted_plaintext_in_commands()
    {
        const string password = "plaintext-password-marker";
        const string code = "recovery-code-marker";
        var log = new List<string>();
        await using var connection = new SqliteConnection("DataSource=:memory:");
        await connection.OpenAsync();
        var options = new DbContextOptionsBuilder()
            .UseSqlite(connection)
            .AddAlchemyTypes(a => a.UseEncryption(Ring).UseArgon2(o => o.MemorySizeKiB = 1024))
            .EnableSensitiveDataLogging()
            .LogTo(line => { lock (log) { log.Add(line); } }, [DbLoggerCategory.Database.Command.Name])
            .Options;

        await using (var context = new LoginContext(options))
        {
            await context.Database.EnsureCreatedAsync();
            context.Add(new Login { Password = PasswordHash.FromPassword(password), RecoveryCode = code });
            await context.SaveChangesAsync();
        }

        await using (var context = new LoginContext(options))
        {
            var login = await context.Logins.SingleAsync();
            Assert.True(login.Password!.Verify(password));
            Assert.Equal(code, login.RecoveryCode);
        }

        var text = string.Join("\n", log);
        Assert.Contains("$argon2id$", text, StringComparison.Ordinal); // parameters are logged: as hashes
        Assert.Contains("'v2:k1:", text, StringComparison.Ordinal);   // and as ciphertexts
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(code, text, StringComparison.Ordinal);
    }
}
