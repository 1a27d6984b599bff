using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlchemyTypes.FunctionalTests.Passwords;

/// <summary>
/// Migration from ASP.NET Core Identity: hashes made by Microsoft.Extensions.Identity.Core's own
/// <see cref="PasswordHasher{TUser}"/> (V2 and V3), written into the password column as an Identity database holds them,
/// verify through <see cref="PasswordHash"/> and are replaced by Argon2id on the next successful sign-in, on each database.
/// </summary>
public abstract class IdentityMigrationTests(ITestStore store) : IAsyncLifetime
{
    private const string Secret = "Identity-P@ssw0rd – ünïcödé";
    private TestDatabase _database = null!;

    public static TheoryData<string, int> IdentityFormats => new()
    {
        { nameof(PasswordHasherCompatibilityMode.IdentityV2), 0 },
        { nameof(PasswordHasherCompatibilityMode.IdentityV3), 0 },
        { nameof(PasswordHasherCompatibilityMode.IdentityV3), 10_000 },
    };

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [MemberData(nameof(IdentityFormats))]
    public async Task Identity_hash_verifies_and_is_upgraded_to_argon2id_on_the_next_successful_sign_in(string mode, int iterations)
    {
        var identityHash = IdentityHasher(mode, iterations).HashPassword(new Account(), Secret);
        var id = await InsertRawAsync(identityHash);

        await using (var context = CreateContext())
        {
            var account = await context.Accounts.SingleAsync(a => a.Id == id);
            Assert.Equal("PasswordHash(aspnetcore-identity)", account.Password!.ToString());
            Assert.True(account.Password.NeedsRehash);

            var wrong = await account.Password.VerifyAndUpgradeAsync("identity-p@ssw0rd – ünïcödé");
            Assert.False(wrong.Valid);
            Assert.Null(wrong.NewHash);
            await context.SaveChangesAsync();
        }

        // A failed sign-in changed nothing.
        Assert.Equal(identityHash, await RawAsync(id));

        await using (var context = CreateContext())
        {
            var account = await context.Accounts.SingleAsync(a => a.Id == id);
            var result = account.Password!.VerifyAndUpgrade(Secret);
            Assert.True(result.Valid);
            Assert.NotNull(result.NewHash);
            account.Password = result.NewHash;
            await context.SaveChangesAsync();
        }

        var upgraded = await RawAsync(id);
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", upgraded, StringComparison.Ordinal);

        await using (var context = CreateContext())
        {
            var account = await context.Accounts.SingleAsync(a => a.Id == id);
            Assert.True(await account.Password!.VerifyAsync(Secret));
            Assert.False(account.Password.Verify("wrong"));
            Assert.False(account.Password.NeedsRehash);
            Assert.Null(account.Password.VerifyAndUpgrade(Secret).NewHash);
        }
    }

    [Fact]
    public async Task Identity_hashes_with_hostile_fields_are_refused_and_the_row_is_kept_as_it_was()
    {
        var genuine = Convert.FromBase64String(IdentityHasher(nameof(PasswordHasherCompatibilityMode.IdentityV3), 0).HashPassword(new Account(), Secret));
        foreach (var (what, tamper) in new (string, Action<byte[]>)[]
                 {
                     ("iteration count 0x7FFFFFFF", bytes => { bytes[5] = 0x7F; bytes[6] = bytes[7] = bytes[8] = 0xFF; }),
                     ("iteration count 0", bytes => bytes[5] = bytes[6] = bytes[7] = bytes[8] = 0),
                     ("salt length 0xFFFFFFFF", bytes => bytes[9] = bytes[10] = bytes[11] = bytes[12] = 0xFF),
                     ("salt length 8", bytes => bytes[12] = 8),
                     ("unknown PRF", bytes => bytes[4] = 9),
                 })
        {
            var bytes = (byte[])genuine.Clone();
            tamper(bytes);
            var stored = Convert.ToBase64String(bytes);
            var id = await InsertRawAsync(stored);

            await using (var context = CreateContext())
            {
                var account = await context.Accounts.SingleAsync(a => a.Id == id);
                Assert.False(account.Password!.Verify(Secret), what);
                Assert.True(account.Password.NeedsRehash, what);
                var result = await account.Password.VerifyAndUpgradeAsync(Secret);
                Assert.False(result.Valid, what);
                Assert.Null(result.NewHash);
                account.Name = "touched";
                await context.SaveChangesAsync();
            }

            Assert.Equal(stored, await RawAsync(id));
        }
    }

    private static PasswordHasher<Account> IdentityHasher(string mode, int iterations)
    {
        var options = new PasswordHasherOptions { CompatibilityMode = Enum.Parse<PasswordHasherCompatibilityMode>(mode) };
        if (iterations > 0)
        {
            options.IterationCount = iterations;
        }

        return new PasswordHasher<Account>(Options.Create(options));
    }

    private PasswordContext CreateContext() => new(SecretsConfiguration.Configure<PasswordContext>(_database, store).Options);

    /// <summary>Writes the hash with plain SQL, as a migrated Identity table holds it.</summary>
    private async Task<int> InsertRawAsync(string hash)
    {
        await using var context = CreateContext();
        var name = Guid.NewGuid().ToString("N");
        await context.Database.ExecuteSqlAsync($"INSERT INTO \"Accounts\" (\"Name\", \"Password\") VALUES ({name}, {hash})");
        return await context.Accounts.Where(a => a.Name == name).Select(a => a.Id).SingleAsync();
    }

    private async Task<string?> RawAsync(int id)
    {
        await using var context = CreateContext();
        return await context.Database.SqlQuery<string>($"SELECT \"Password\" AS \"Value\" FROM \"Accounts\" WHERE \"Id\" = {id}").SingleAsync();
    }
}

public sealed class SqliteIdentityMigrationTests() : IdentityMigrationTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresIdentityMigrationTests(PostgresServerFixture server) : IdentityMigrationTests(new PostgresTestStore(server));
