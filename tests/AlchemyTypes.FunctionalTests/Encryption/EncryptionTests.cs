using System.Data.Common;
using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Encryption;

/// <summary>Encrypted strings against a real database; subclassed once per database.</summary>
public abstract class EncryptionTests(ITestStore store) : IAsyncLifetime
{
    private readonly EncryptionKeyRing _ring = SecretsConfiguration.RingFor(store);
    private TestDatabase _database = null!;

    /// <summary>The header of values written now (the rotation test changes the current key of this engine's ring).</summary>
    private string Header => $"v1:{_ring.CurrentKeyId}:";

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private EncryptionContext CreateContext() => new(SecretsConfiguration.Configure<EncryptionContext>(_database, store).Options);

    private static async Task<string?> RawAsync(DbContext context, string column, int id)
    {
        var connection = context.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {context.Quote(column)} FROM {context.Quote("Customers")} WHERE {context.Quote("Id")} = {id}";
        return await command.ExecuteScalarAsync() as string;
    }

    private static Task SetRawAsync(DbContext context, string column, int id, string? value)
    {
        var sql = $"UPDATE {context.Quote("Customers")} SET {context.Quote(column)} = {{0}} WHERE {context.Quote("Id")} = {{1}}";
        return context.Database.ExecuteSqlRawAsync(sql, value!, id);
    }

    private async Task<int> AddAsync(string email, string? notes = "note", string? pin = null)
    {
        await using var context = CreateContext();
        var customer = new Customer { Name = email, Email = email, Notes = notes, Pin = pin };
        context.Add(customer);
        await context.SaveChangesAsync();
        return customer.Id;
    }

    [Fact]
    public async Task Values_are_stored_encrypted_and_read_back_in_clear()
    {
        var id = await AddAsync("alice@example.com", "VIP since 2019", "1234");
        await using var context = CreateContext();

        var email = await RawAsync(context, "Email", id);
        var notes = await RawAsync(context, "Notes", id);
        Assert.Matches("^" + Header + "[A-Za-z0-9+/]+={0,2}$", email);
        Assert.DoesNotContain("alice", email, StringComparison.Ordinal);
        Assert.DoesNotContain("VIP", notes, StringComparison.Ordinal);

        var customer = await context.Customers.SingleAsync(c => c.Id == id);
        Assert.Equal("alice@example.com", customer.Email);
        Assert.Equal("VIP since 2019", customer.Notes);
        Assert.Equal("1234", customer.Pin);
    }

    [Fact]
    public async Task Null_stays_NULL_and_empty_string_is_encrypted()
    {
        var id = await AddAsync("bob@example.com", notes: null, pin: "");
        await using var context = CreateContext();
        Assert.Null(await RawAsync(context, "Notes", id));
        Assert.StartsWith(Header, await RawAsync(context, "Pin", id), StringComparison.Ordinal);

        var customer = await context.Customers.SingleAsync(c => c.Id == id);
        Assert.Null(customer.Notes);
        Assert.Equal("", customer.Pin);
        Assert.Equal(1, await context.Customers.CountAsync(c => c.Notes == null));
    }

    [Fact]
    public async Task Updating_an_encrypted_value_re_encrypts_it()
    {
        var id = await AddAsync("carol@example.com", "first");
        string? before;
        await using (var context = CreateContext())
        {
            before = await RawAsync(context, "Notes", id);
            var customer = await context.Customers.SingleAsync(c => c.Id == id);
            customer.Notes = "second";
            context.SaveChanges();
        }

        await using (var context = CreateContext())
        {
            Assert.NotEqual(before, await RawAsync(context, "Notes", id));
            Assert.Equal("second", (await context.Customers.SingleAsync(c => c.Id == id)).Notes);
        }
    }

    [Fact]
    public async Task Too_long_plaintext_is_a_typed_error_before_anything_is_written()
    {
        await using (var context = CreateContext())
        {
            context.Add(new Customer { Name = "x", Email = "x@example.com", Pin = "12345678901" });
            var error = await Assert.ThrowsAsync<EncryptedValueTooLongException>(() => context.SaveChangesAsync());
            Assert.Equal(nameof(Customer), error.EntityType);
            Assert.Equal(nameof(Customer.Pin), error.Property);
            Assert.Equal(10, error.MaxLength);
            Assert.Equal(11, error.Length);
        }

        await using (var context = CreateContext())
        {
            Assert.Equal(0, await context.Customers.CountAsync());
            var email = context.Model.FindEntityType(typeof(Customer))!.FindProperty(nameof(Customer.Email))!;
            Assert.True(email.GetMaxLength() >= EncryptedStringCipher.MaxStoredLength(200));
        }
    }

    [Fact]
    public async Task Equality_on_a_blind_indexed_property_is_answered_by_its_index()
    {
        for (var i = 0; i < 50; i++)
        {
            await AddAsync($"user{i}@example.com");
        }

        var wanted = "user42@example.com";
        await using var context = CreateContext();
        var found = await context.Customers.Where(c => c.Email == wanted).ToListAsync();
        Assert.Equal(wanted, Assert.Single(found).Email);
        Assert.Empty(await context.Customers.Where(c => c.Email == "nobody@example.com").ToListAsync());
        Assert.Equal(49, await context.Customers.CountAsync(c => c.Email != wanted));

        var query = context.Customers.Where(c => c.Email == wanted);
        Assert.Contains("EmailBlindIndex", query.ToQueryString(), StringComparison.Ordinal);
        var plan = await ExplainAsync(context, query);
        Assert.Contains("IX_Customers_EmailBlindIndex", plan, StringComparison.Ordinal);

        var stored = await RawAsync(context, "EmailBlindIndex", found[0].Id);
        Assert.Equal(44, stored!.Length);
        Assert.DoesNotContain("user42", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Equality_on_an_encrypted_property_without_blind_index_is_refused_not_silently_empty()
    {
        await AddAsync("dave@example.com", "n");
        await using var context = CreateContext();
        var error = await Assert.ThrowsAsync<AlchemyTypesConfigurationException>(() => context.Customers.Where(c => c.Notes == "n").ToListAsync());
        Assert.Contains("Customer.Notes", error.Message, StringComparison.Ordinal);
        Assert.Contains("blind index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blind_index_follows_updates()
    {
        var id = await AddAsync("old@example.com");
        await using (var context = CreateContext())
        {
            var customer = await context.Customers.SingleAsync(c => c.Id == id);
            customer.Email = "new@example.com";
            await context.SaveChangesAsync();
        }

        await using (var context = CreateContext())
        {
            Assert.Empty(await context.Customers.Where(c => c.Email == "old@example.com").ToListAsync());
            Assert.Equal(id, (await context.Customers.SingleAsync(c => c.Email == "new@example.com")).Id);
        }
    }

    [Fact]
    public async Task Rotation_keeps_old_rows_readable_and_ReEncryptAsync_moves_them_to_the_current_key_in_batches()
    {
        var ring = _ring;
        var oldKey = ring.CurrentKeyId!;
        var newKey = "r" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<int>();
        await using (var context = CreateContext())
        {
            for (var i = 0; i < 10; i++)
            {
                var customer = new Customer { Name = $"r{i}", Email = $"r{i}@example.com", Notes = i % 3 == 0 ? null : $"note {i}" };
                context.Add(customer);
                await context.SaveChangesAsync();
                ids.Add(customer.Id);
            }
        }

        ring.Add(newKey, EncryptionKeyRing.GenerateKey(), makeCurrent: true);
        await using (var context = CreateContext())
        {
            // Old rows still decrypt, new rows use the new key.
            Assert.Equal("note 1", (await context.Customers.SingleAsync(c => c.Id == ids[1])).Notes);
            var fresh = new Customer { Name = "fresh", Email = "fresh@example.com", Notes = "new" };
            context.Add(fresh);
            await context.SaveChangesAsync();
            Assert.StartsWith($"v1:{newKey}:", await RawAsync(context, "Notes", fresh.Id), StringComparison.Ordinal);
            Assert.StartsWith($"v1:{oldKey}:", await RawAsync(context, "Notes", ids[1]), StringComparison.Ordinal);
        }

        await using (var context = CreateContext())
        {
            var result = await context.ReEncryptAsync<Customer>(batchSize: 3);
            Assert.Equal(10, result.RowsReEncrypted);
            Assert.Equal(4, result.Batches);
        }

        await using (var context = CreateContext())
        {
            foreach (var id in ids)
            {
                Assert.StartsWith($"v1:{newKey}:", await RawAsync(context, "Email", id), StringComparison.Ordinal);
                var notes = await RawAsync(context, "Notes", id);
                Assert.True(notes is null || notes.StartsWith($"v1:{newKey}:", StringComparison.Ordinal), notes);
            }

            var all = await context.Customers.OrderBy(c => c.Id).ToListAsync();
            Assert.Equal(11, all.Count);
            Assert.Equal("note 2", all.Single(c => c.Id == ids[2]).Notes);
            Assert.Null(all.Single(c => c.Id == ids[3]).Notes);
            Assert.Equal(ids[7], (await context.Customers.SingleAsync(c => c.Email == "r7@example.com")).Id);

            // Idempotent: nothing is left under the old key.
            var again = await context.ReEncryptAsync<Customer>(batchSize: 3);
            Assert.Equal(0, again.RowsReEncrypted);
            Assert.Equal(0, again.Batches);
        }
    }

    public static TheoryData<string, EncryptedValueFailure> Corruptions => new()
    {
        { "tampered", EncryptedValueFailure.AuthenticationFailed },
        { "truncated", EncryptedValueFailure.Truncated },
        { "not-base64", EncryptedValueFailure.NotBase64 },
        { "unknown-key", EncryptedValueFailure.UnknownKeyId },
        { "wrong-key", EncryptedValueFailure.AuthenticationFailed },
        { "plain", EncryptedValueFailure.Malformed },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task Corrupted_stored_values_fail_with_a_typed_exception_naming_entity_and_property(string corruption, EncryptedValueFailure failure)
    {
        var id = await AddAsync("eve@example.com", "the original note");
        await using (var context = CreateContext())
        {
            var stored = (await RawAsync(context, "Notes", id))!;
            var header = stored[..(stored.IndexOf(':', 3) + 1)];
            var payload = Convert.FromBase64String(stored[header.Length..]);
            payload[^1] ^= 0x80;
            var corrupted = corruption switch
            {
                "tampered" => header + Convert.ToBase64String(payload),
                "truncated" => header + stored[header.Length..][..8], // six bytes: shorter than nonce + tag
                "not-base64" => stored[..^4] + "*@#!",
                "unknown-key" => "v1:k7:" + stored[header.Length..],
                "wrong-key" => EncryptedStringCipher.Encrypt(new EncryptionKeyRing().Add(header[3..^1], EncryptionKeyRing.GenerateKey()), "the original note"), // same id, another key
                _ => "the original note",
            };
            await SetRawAsync(context, "Notes", id, corrupted);
        }

        await using (var context = CreateContext())
        {
            var error = await Assert.ThrowsAsync<EncryptedValueException>(() => context.Customers.Where(c => c.Id == id).ToListAsync());
            Assert.Equal(failure, error.Failure);
            Assert.Equal(nameof(Customer), error.EntityType);
            Assert.Equal(nameof(Customer.Notes), error.Property);
            Assert.DoesNotContain("original", error.Message, StringComparison.Ordinal);

            // A projection reads the column through the same converter.
            await Assert.ThrowsAsync<EncryptedValueException>(() => context.Customers.Where(c => c.Id == id).Select(c => c.Notes).ToListAsync());
        }
    }


    private async Task<string> ExplainAsync(DbContext context, IQueryable<Customer> query)
    {
        await using var command = query.CreateDbCommand();
        if (command.Connection!.State != System.Data.ConnectionState.Open)
        {
            await command.Connection.OpenAsync();
        }

        if (store is PostgresTestStore)
        {
            // A 50-row table would be scanned; what matters is that the planner can use the index when it pays off.
            await using var off = command.Connection.CreateCommand();
            off.CommandText = "SET enable_seqscan = off";
            await off.ExecuteNonQueryAsync();
            command.CommandText = "EXPLAIN " + command.CommandText;
        }
        else if (store is MariaDbTestStore)
        {
            // One row per table: possible_keys and key name the index.
            command.CommandText = "EXPLAIN " + command.CommandText;
        }
        else
        {
            command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        }

        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i)?.ToString())));
        }

        return string.Join("\n", lines);
    }
}

public sealed class SqliteEncryptionTests() : EncryptionTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresEncryptionTests(PostgresServerFixture server) : EncryptionTests(new PostgresTestStore(server));

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbEncryptionTests(MariaDbServerFixture server) : EncryptionTests(new MariaDbTestStore(server));
