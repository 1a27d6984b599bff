using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Passwords;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Passwords;

/// <summary>PasswordHash properties against a real database; subclassed once per database.</summary>
public abstract class PasswordHashTests(ITestStore store) : IAsyncLifetime
{
    private const string Secret = "correct horse battery staple";
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    /// <summary>Argon2id (OWASP defaults) hashes new passwords; BCrypt still verifies (shared with the encryption suite).</summary>
    private PasswordContext CreateContext() => new(SecretsConfiguration.Configure<PasswordContext>(_database, store).Options);

    private static async Task<string?> RawPasswordAsync(DbContext context, int id)
    {
        var connection = context.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {context.Quote("Password")} FROM {context.Quote("Accounts")} WHERE {context.Quote("Id")} = {id}";
        return await command.ExecuteScalarAsync() as string;
    }

    [Promise("P-PWD-01", "P-PWD-10")]
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Saving_a_password_stores_only_an_Argon2id_PHC_hash(bool async)
    {
        var account = new Account { Name = "alice", Password = PasswordHash.FromPassword(Secret) };
        await using (var context = CreateContext())
        {
            context.Add(account);
            if (async)
            {
                await context.SaveChangesAsync();
            }
            else
            {
                context.SaveChanges();
            }

            Assert.False(account.Password.IsPending);
            Assert.Equal("PasswordHash(argon2id)", account.Password.ToString());
            Assert.DoesNotContain(Secret, account.Password.ToString(), StringComparison.Ordinal);
        }

        await using (var context = CreateContext())
        {
            var stored = await RawPasswordAsync(context, account.Id);
            Assert.Matches(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", stored);
            Assert.Equal(stored, account.Password.EncodedHash);
        }
    }

    [Fact]
    public async Task Loaded_hash_verifies_the_right_password_only()
    {
        var id = await AddAsync(CreateContext(), Secret);
        await using var context = CreateContext();
        var account = await context.Accounts.SingleAsync(a => a.Id == id);
        Assert.NotNull(account.Password);
        Assert.True(account.Password.Verify(Secret));
        Assert.False(account.Password.Verify(Secret.ToUpperInvariant()));
        Assert.True(await account.Password.VerifyAsync(Secret));
        Assert.False(await account.Password.VerifyAsync("nope"));
        Assert.False(account.Password.NeedsRehash);
        var result = account.Password.VerifyAndUpgrade(Secret);
        Assert.True(result.Valid);
        Assert.Null(result.NewHash);
    }

    [Fact]
    public async Task Null_password_stays_NULL_and_changing_a_password_saves_a_new_hash()
    {
        await using (var context = CreateContext())
        {
            var account = new Account { Name = "nopass" };
            context.Add(account);
            await context.SaveChangesAsync();
            Assert.Null(await RawPasswordAsync(context, account.Id));

            account.Password = PasswordHash.FromPassword("first");
            await context.SaveChangesAsync();
            var first = await RawPasswordAsync(context, account.Id);

            account.Password = PasswordHash.FromPassword("second");
            await context.SaveChangesAsync();
            Assert.NotEqual(first, await RawPasswordAsync(context, account.Id));
        }

        await using (var check = CreateContext())
        {
            var account = await check.Accounts.SingleAsync(a => a.Name == "nopass");
            Assert.True(account.Password!.Verify("second"));
            Assert.False(account.Password.Verify("first"));
        }
    }

    [Promise("P-PWD-15", "P-PWD-17")]
    [Fact]
    public async Task Legacy_bcrypt_hash_is_verified_and_upgraded_to_argon2id()
    {
        // A row written by a system that hashed with BCrypt.
        var legacy = new AlchemyTypes.BCrypt.BCryptPasswordHasher(new AlchemyTypes.BCrypt.BCryptOptions { WorkFactor = 4 }).Hash(System.Text.Encoding.UTF8.GetBytes(Secret));
        int id;
        await using (var context = CreateContext())
        {
            var row = new Account { Name = "legacy", Password = PasswordHash.FromHash(legacy) };
            context.Add(row);
            await context.SaveChangesAsync();
            id = row.Id;
        }

        await using (var context = CreateContext())
        {
            Assert.StartsWith("$2b$04$", await RawPasswordAsync(context, id), StringComparison.Ordinal);
            var account = await context.Accounts.SingleAsync(a => a.Id == id);
            Assert.True(account.Password!.NeedsRehash);

            var wrong = account.Password.VerifyAndUpgrade("wrong");
            Assert.False(wrong.Valid);
            Assert.Null(wrong.NewHash);

            var result = await account.Password.VerifyAndUpgradeAsync(Secret);
            Assert.True(result.Valid);
            Assert.NotNull(result.NewHash);
            account.Password = result.NewHash;
            await context.SaveChangesAsync();
        }

        await using (var context = CreateContext())
        {
            Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", await RawPasswordAsync(context, id), StringComparison.Ordinal);
            var account = await context.Accounts.SingleAsync(a => a.Id == id);
            Assert.True(account.Password!.Verify(Secret));
            Assert.False(account.Password.NeedsRehash);
        }
    }

    [Promise("P-PWD-05")]
    [Fact]
    public async Task Imported_hash_is_stored_as_given_and_verifies_after_loading()
    {
        var imported = new AlchemyTypes.BCrypt.BCryptPasswordHasher(new AlchemyTypes.BCrypt.BCryptOptions { WorkFactor = 4 }).Hash("imported"u8);
        int id;
        await using (var context = CreateContext())
        {
            var account = new Account { Name = "imported", Password = PasswordHash.FromHash(imported) };
            context.Add(account);
            await context.SaveChangesAsync();
            id = account.Id;
            Assert.True(account.Password.Verify("imported"));
        }

        await using (var context = CreateContext())
        {
            Assert.Equal(imported, await RawPasswordAsync(context, id));
            Assert.True((await context.Accounts.SingleAsync(a => a.Id == id)).Password!.Verify("imported"));
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$$")]
    [InlineData("$argon2id$v=19$m=2000000000,t=2,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$2y$04$tooShort")]
    [InlineData("$argon2id$v=19$m=19456,t=2147483647,p=1$c29tZXNhbHR2YWx1ZTEyMw$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=255$c29tZXNhbHR2YWx1ZTEyMw$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHR2YWx1ZTEyMw$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AQAAAAIAD0JBAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")] // Identity V3, 1,000,001 iterations
    public async Task Malformed_stored_hash_loads_but_never_verifies(string stored)
    {
        var id = await AddAsync(CreateContext(), Secret);
        await using (var context = CreateContext())
        {
            var sql = $"UPDATE {context.Quote("Accounts")} SET {context.Quote("Password")} = {{0}} WHERE {context.Quote("Id")} = {{1}}";
            await context.Database.ExecuteSqlRawAsync(sql, stored, id);
        }

        await using (var context = CreateContext())
        {
            var account = await context.Accounts.SingleAsync(a => a.Id == id);
            Assert.False(account.Password!.Verify(Secret));
            Assert.True(account.Password.NeedsRehash);
            Assert.False(account.Password.VerifyAndUpgrade(Secret).Valid);
            Assert.False((await account.Password.VerifyAndUpgradeAsync(Secret)).Valid);

            // Nothing is stored or lost: saving the entity keeps the refused hash exactly as it was.
            account.Name = "touched";
            await context.SaveChangesAsync();
            Assert.Equal(stored, await RawPasswordAsync(context, id));
        }
    }

    [Theory]
    [Promise("P-PWD-50")]
    [InlineData("$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [InlineData("$2y$20$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    public async Task A_stored_BCrypt_hash_above_the_cost_limit_is_refused_at_once_with_a_typed_exception(string stored)
    {
        var id = await AddAsync(CreateContext(), Secret);
        await using (var context = CreateContext())
        {
            var sql = $"UPDATE {context.Quote("Accounts")} SET {context.Quote("Password")} = {{0}} WHERE {context.Quote("Id")} = {{1}}";
            await context.Database.ExecuteSqlRawAsync(sql, stored, id);
        }

        await using (var context = CreateContext())
        {
            var account = await context.Accounts.SingleAsync(a => a.Id == id);
            Assert.True(account.Password!.NeedsRehash);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Throws<PasswordHashCostException>(() => account.Password.Verify(Secret));
            await Assert.ThrowsAsync<PasswordHashCostException>(() => account.Password.VerifyAsync(Secret).AsTask());
            Assert.Throws<PasswordHashCostException>(() => account.Password.VerifyAndUpgrade(Secret));
            var error = await Assert.ThrowsAsync<PasswordHashCostException>(() => account.Password.VerifyAndUpgradeAsync(Secret).AsTask());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
            Assert.Equal(15, error.MaxCost);

            // Nothing is stored or lost: the refused hash stays as it was, for an administrator to reset.
            account.Name = "touched";
            await context.SaveChangesAsync();
            Assert.Equal(stored, await RawPasswordAsync(context, id));
        }
    }

    private static async Task<int> AddAsync(PasswordContext context, string password)
    {
        await using (context)
        {
            var account = new Account { Name = Guid.NewGuid().ToString("N"), Password = PasswordHash.FromPassword(password) };
            context.Add(account);
            await context.SaveChangesAsync();
            return account.Id;
        }
    }
}

public sealed class SqlitePasswordHashTests() : PasswordHashTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresPasswordHashTests(PostgresServerFixture server) : PasswordHashTests(new PostgresTestStore(server));

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbPasswordHashTests(MariaDbServerFixture server) : PasswordHashTests(new MariaDbTestStore(server));
