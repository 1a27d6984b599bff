using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Encryption;

/// <summary>
/// The hostile-input catalogue of encrypted strings, as an attacker with write access to some columns (a SQL injection,
/// a support tool, a restored backup) would try it: ciphertexts moved across columns, tables and rows, truncated,
/// re-ordered, bit-flipped, downgraded to v1; blind indexes compared across columns; ExecuteUpdate around the blind index.
/// Every attempt is a typed error naming entity and property, and the other values of the row are intact.
/// </summary>
public abstract class EncryptionHostileInputTests(ITestStore store) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private VaultContext CreateContext() => new(SecretsConfiguration.Configure<VaultContext>(_database, store).Options);

    private static async Task<string?> RawAsync(DbContext context, string table, string column, int id)
    {
        var connection = context.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"{column}\" FROM \"{table}\" WHERE \"Id\" = {id}";
        return await command.ExecuteScalarAsync() as string;
    }

    private static Task SetRawAsync(DbContext context, string table, string column, int id, string? value)
    {
        var sql = "UPDATE \"" + table + "\" SET \"" + column + "\" = {0} WHERE \"Id\" = {1}";
        return context.Database.ExecuteSqlRawAsync(sql, value!, id);
    }

    private async Task<(int First, int Second)> SeedAsync()
    {
        await using var context = CreateContext();
        var first = new Vault { Label = "first", Email = "alice@example.com", BackupEmail = "alice@example.com", Secret = "first secret" };
        var second = new Vault { Label = "second", Email = "bob@example.com", BackupEmail = "bob.backup@example.com", Secret = "second secret" };
        context.AddRange(first, second);
        context.Add(new Archive { Secret = "archived" });
        await context.SaveChangesAsync();
        return (first.Id, second.Id);
    }

    private async Task<EncryptedValueException> ReadFailsAsync(int id)
    {
        await using var context = CreateContext();
        return await Assert.ThrowsAsync<EncryptedValueException>(() => context.Vaults.Where(v => v.Id == id).ToListAsync());
    }

    [Fact]
    public async Task Stored_values_are_v2_bound_to_their_table_and_column()
    {
        var (first, _) = await SeedAsync();
        await using var context = CreateContext();
        var stored = (await RawAsync(context, "Vaults", "Secret", first))!;
        Assert.StartsWith("v2:", stored, StringComparison.Ordinal);
        var ring = SecretsConfiguration.RingFor(store);
        Assert.Equal("first secret", EncryptedStringCipher.Decrypt(ring, stored, "Vault", "Secret", EncryptionBinding.For(null, "Vaults", "Secret")));
        Assert.Throws<EncryptedValueException>(() => EncryptedStringCipher.Decrypt(ring, stored, "Vault", "Secret",
            EncryptionBinding.For(null, "Archives", "Secret")));
    }

    [Fact]
    public async Task A_value_copied_to_another_column_of_the_row_fails_naming_entity_and_property()
    {
        var (first, _) = await SeedAsync();
        await using (var context = CreateContext())
        {
            await SetRawAsync(context, "Vaults", "BackupEmail", first, await RawAsync(context, "Vaults", "Secret", first));
        }

        var error = await ReadFailsAsync(first);
        Assert.Equal(EncryptedValueFailure.AuthenticationFailed, error.Failure);
        Assert.Equal(nameof(Vault), error.EntityType);
        Assert.Equal(nameof(Vault.BackupEmail), error.Property);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.Contains("copied from another column", error.Message, StringComparison.Ordinal);

        // Nothing else is lost: the source column and the other row still read.
        await using var check = CreateContext();
        Assert.Equal("first secret", await check.Vaults.Where(v => v.Id == first).Select(v => v.Secret).SingleAsync());
        Assert.Equal("second secret", (await check.Vaults.SingleAsync(v => v.Label == "second")).Secret);
    }

    [Fact]
    public async Task A_value_copied_to_the_same_column_of_another_table_fails()
    {
        var (first, _) = await SeedAsync();
        int archive;
        await using (var context = CreateContext())
        {
            archive = (await context.Archives.SingleAsync()).Id;
            await SetRawAsync(context, "Archives", "Secret", archive, await RawAsync(context, "Vaults", "Secret", first));
        }

        await using var check = CreateContext();
        var error = await Assert.ThrowsAsync<EncryptedValueException>(() => check.Archives.ToListAsync());
        Assert.Equal(EncryptedValueFailure.AuthenticationFailed, error.Failure);
        Assert.Equal(nameof(Archive), error.EntityType);
        Assert.Equal(nameof(Archive.Secret), error.Property);
    }

    [Fact]
    public async Task Limit_a_value_copied_to_the_same_column_of_another_row_still_decrypts_rows_are_not_bound()
    {
        // Documented in SECURITY.md: a value converter never sees its row, so rows are not part of the binding.
        var (first, second) = await SeedAsync();
        await using (var context = CreateContext())
        {
            await SetRawAsync(context, "Vaults", "Secret", second, await RawAsync(context, "Vaults", "Secret", first));
        }

        await using var check = CreateContext();
        Assert.Equal("first secret", (await check.Vaults.SingleAsync(v => v.Id == second)).Secret);
    }

    public static TheoryData<string, EncryptedValueFailure> Mutations => new()
    {
        { "bit-flip-nonce", EncryptedValueFailure.AuthenticationFailed },
        { "bit-flip-ciphertext", EncryptedValueFailure.AuthenticationFailed },
        { "bit-flip-tag", EncryptedValueFailure.AuthenticationFailed },
        { "truncated-tag", EncryptedValueFailure.AuthenticationFailed },
        { "truncated-to-header", EncryptedValueFailure.Truncated },
        { "reordered-nonce-last", EncryptedValueFailure.AuthenticationFailed },
        { "reordered-halves", EncryptedValueFailure.AuthenticationFailed },
        { "header-key-id-swapped", EncryptedValueFailure.UnknownKeyId },
        { "downgraded-to-v1", EncryptedValueFailure.AuthenticationFailed },
        { "future-version", EncryptedValueFailure.UnsupportedVersion },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Mutated_ciphertexts_fail_with_a_typed_error_and_the_rest_of_the_row_is_intact(string mutation, EncryptedValueFailure failure)
    {
        var (first, _) = await SeedAsync();
        await using (var context = CreateContext())
        {
            var stored = (await RawAsync(context, "Vaults", "Secret", first))!;
            var header = stored[..(stored.IndexOf(':', 3) + 1)];
            var payload = Convert.FromBase64String(stored[header.Length..]);
            byte[] Flip(int index)
            {
                var copy = (byte[])payload.Clone();
                copy[index] ^= 0x04;
                return copy;
            }

            var mutated = mutation switch
            {
                "bit-flip-nonce" => header + Convert.ToBase64String(Flip(0)),
                "bit-flip-ciphertext" => header + Convert.ToBase64String(Flip(14)),
                "bit-flip-tag" => header + Convert.ToBase64String(Flip(payload.Length - 1)),
                "truncated-tag" => header + Convert.ToBase64String(payload[..^1]),
                "truncated-to-header" => header,
                "reordered-nonce-last" => header + Convert.ToBase64String([.. payload[12..], .. payload[..12]]),
                "reordered-halves" => header + Convert.ToBase64String([.. payload[(payload.Length / 2)..], .. payload[..(payload.Length / 2)]]),
                "header-key-id-swapped" => "v2:zz:" + stored[header.Length..],
                "downgraded-to-v1" => "v1" + stored[2..],
                _ => "v9" + stored[2..],
            };
            await SetRawAsync(context, "Vaults", "Secret", first, mutated);
        }

        var error = await ReadFailsAsync(first);
        Assert.Equal(failure, error.Failure);
        Assert.Equal(nameof(Vault.Secret), error.Property);

        await using var check = CreateContext();
        Assert.Equal("alice@example.com", await check.Vaults.Where(v => v.Id == first).Select(v => v.Email).SingleAsync());
        Assert.Equal(first, await check.Vaults.Where(v => v.Email == "alice@example.com").Select(v => v.Id).SingleAsync());
    }

    [Fact]
    public async Task Equal_values_in_two_blind_indexed_columns_have_unrelated_indexes()
    {
        var (first, _) = await SeedAsync();
        await using var context = CreateContext();
        var email = await RawAsync(context, "Vaults", "EmailBlindIndex", first);
        var backup = await RawAsync(context, "Vaults", "BackupEmailBlindIndex", first);
        Assert.NotNull(email);
        Assert.NotNull(backup);
        Assert.NotEqual(email, backup);

        // An index copied into the other column does not make the row match there.
        await SetRawAsync(context, "Vaults", "BackupEmailBlindIndex", first, await RawAsync(context, "Vaults", "EmailBlindIndex", 2));
        Assert.Empty(await context.Vaults.Where(v => v.BackupEmail == "bob@example.com").ToListAsync());
    }

    [Fact]
    public async Task A_legacy_v1_value_reads_and_ReEncryptAsync_upgrades_it_to_v2()
    {
        var (first, _) = await SeedAsync();
        var ring = SecretsConfiguration.RingFor(store);
        await using (var context = CreateContext())
        {
            await SetRawAsync(context, "Vaults", "Secret", first, EncryptedStringCipher.EncryptUnbound(ring, "legacy secret"));
            Assert.Equal("legacy secret", (await context.Vaults.SingleAsync(v => v.Id == first)).Secret);
        }

        await using (var context = CreateContext())
        {
            var result = await context.ReEncryptAsync<Vault>();
            Assert.True(result.RowsReEncrypted >= 1, result.ToString());
        }

        await using (var context = CreateContext())
        {
            Assert.StartsWith("v2:", await RawAsync(context, "Vaults", "Secret", first), StringComparison.Ordinal);
            Assert.Equal("legacy secret", (await context.Vaults.SingleAsync(v => v.Id == first)).Secret);
            Assert.Equal(0, (await context.ReEncryptAsync<Vault>()).RowsReEncrypted);
        }
    }

    [Fact]
    public async Task ReIndexAsync_repairs_blind_indexes_written_under_another_key()
    {
        var (first, second) = await SeedAsync();
        await using (var context = CreateContext())
        {
            // What an upgrade from one shared blind-index key (or a rotation) leaves behind: indexes that no longer match.
            await SetRawAsync(context, "Vaults", "EmailBlindIndex", first, Convert.ToBase64String(new byte[32]));
            await SetRawAsync(context, "Vaults", "BackupEmailBlindIndex", second, Convert.ToBase64String(new byte[32]));
            Assert.Empty(await context.Vaults.Where(v => v.Email == "alice@example.com").ToListAsync());
        }

        await using (var context = CreateContext())
        {
            var result = await context.ReIndexAsync<Vault>(batchSize: 1);
            Assert.Equal(2, result.RowsReIndexed);
            Assert.Equal(2, result.Batches);
        }

        await using (var context = CreateContext())
        {
            Assert.Equal(first, (await context.Vaults.SingleAsync(v => v.Email == "alice@example.com")).Id);
            Assert.Equal(second, (await context.Vaults.SingleAsync(v => v.BackupEmail == "bob.backup@example.com")).Id);
            Assert.Equal("first secret", (await context.Vaults.SingleAsync(v => v.Id == first)).Secret);
        }
    }

    [Fact]
    public async Task ExecuteUpdate_of_a_blind_indexed_property_updates_its_index()
    {
        var (first, _) = await SeedAsync();
        var newEmail = "alice.new@example.com";
        await using (var context = CreateContext())
        {
            var updated = await context.Vaults.Where(v => v.Email == "alice@example.com")
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.Email, newEmail).SetProperty(v => v.Secret, "set in bulk"));
            Assert.Equal(1, updated);
        }

        await using (var context = CreateContext())
        {
            Assert.Empty(await context.Vaults.Where(v => v.Email == "alice@example.com").ToListAsync());
            var row = await context.Vaults.SingleAsync(v => v.Email == newEmail);
            Assert.Equal(first, row.Id);
            Assert.Equal("set in bulk", row.Secret);
            Assert.StartsWith("v2:", await RawAsync(context, "Vaults", "Email", first), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ExecuteUpdate_computing_an_encrypted_property_from_the_row_is_refused_before_any_SQL()
    {
        var (first, _) = await SeedAsync();
        await using (var context = CreateContext())
        {
            var before = await RawAsync(context, "Vaults", "Email", first);
            var error = await Assert.ThrowsAsync<EncryptedQueryException>(
                () => context.Vaults.ExecuteUpdateAsync(s => s.SetProperty(v => v.Email, v => v.Label)));
            Assert.Equal(nameof(Vault), error.EntityType);
            Assert.Equal(nameof(Vault.Email), error.Property);

            var direct = await Assert.ThrowsAsync<EncryptedQueryException>(
                () => context.Vaults.ExecuteUpdateAsync(s => s.SetProperty(v => EF.Property<string>(v, "EmailBlindIndex"), "x")));
            Assert.Equal(nameof(Vault.Email), direct.Property);
            Assert.Equal(before, await RawAsync(context, "Vaults", "Email", first));
        }

        await using var check = CreateContext();
        Assert.Equal(first, (await check.Vaults.SingleAsync(v => v.Email == "alice@example.com")).Id);
    }
}

public sealed class SqliteEncryptionHostileInputTests() : EncryptionHostileInputTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresEncryptionHostileInputTests(PostgresServerFixture server) : EncryptionHostileInputTests(new PostgresTestStore(server));
