using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.FunctionalTests.Encryption;

/// <summary>Plaintext limits from [MaxLength], null and inequality queries, and resumable re-encryption; once per database.</summary>
public abstract class EncryptedQueryAndRotationTests(ITestStore store) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private EncryptionContext CreateContext() => new(SecretsConfiguration.Configure<EncryptionContext>(_database, store).Options);

    private EncryptionContext CreateContext(EncryptionKeyRing ring, params IInterceptor[] interceptors)
        => new(SecretsConfiguration.Configure<EncryptionContext>(_database, ring).AddInterceptors(interceptors).Options);

    [Promise("P-ENC-03")]
    [Theory]
    [InlineData(nameof(Customer.Code), 5)]
    [InlineData(nameof(Customer.Tag), 6)]
    public async Task MaxLength_on_an_encrypted_property_is_the_plaintext_limit(string property, int limit)
    {
        void Set(Customer c, string value)
        {
            if (property == nameof(Customer.Code))
            {
                c.Code = value;
            }
            else
            {
                c.Tag = value;
            }
        }

        await using (var context = CreateContext())
        {
            var fits = new Customer { Name = "fits", Email = "fits@example.com" };
            Set(fits, new string('x', limit));
            context.Add(fits);
            await context.SaveChangesAsync();

            var column = context.Model.FindEntityType(typeof(Customer))!.FindProperty(property)!;
            Assert.True(column.GetMaxLength() >= EncryptedStringCipher.MaxStoredLength(limit), "the column is sized for the ciphertext");
        }

        await using (var context = CreateContext())
        {
            var tooLong = new Customer { Name = "long", Email = "long@example.com" };
            Set(tooLong, new string('x', limit + 1));
            context.Add(tooLong);
            var error = await Assert.ThrowsAsync<EncryptedValueTooLongException>(() => context.SaveChangesAsync());
            Assert.Equal(property, error.Property);
            Assert.Equal(limit, error.MaxLength);
            Assert.Equal(limit + 1, error.Length);
        }

        await using (var check = CreateContext())
        {
            var stored = await check.Customers.SingleAsync();
            Assert.Equal("fits", stored.Name);
            Assert.Equal(new string('x', limit), property == nameof(Customer.Code) ? stored.Code : stored.Tag);
        }
    }

    [Promise("P-ENC-06")]
    [Fact]
    public async Task Null_comparisons_on_encrypted_properties_work()
    {
        await using (var context = CreateContext())
        {
            context.AddRange(
                new Customer { Name = "with", Email = "with@example.com", Notes = "a note" },
                new Customer { Name = "without", Email = "without@example.com", Notes = null });
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        Assert.Equal(["with"], await check.Customers.Where(c => c.Notes != null).Select(c => c.Name).ToListAsync());
        Assert.Equal(["without"], await check.Customers.Where(c => c.Notes == null).Select(c => c.Name).ToListAsync());
    }

    [Promise("P-ENC-08")]
    [Fact]
    public async Task Inequality_uses_the_blind_index_and_comparing_two_encrypted_columns_is_refused()
    {
        await using (var context = CreateContext())
        {
            context.AddRange(
                new Customer { Name = "same", Email = "same@example.com", BackupEmail = "same@example.com" },
                new Customer { Name = "other", Email = "main@example.com", BackupEmail = "backup@example.com" },
                new Customer { Name = "third", Email = "third@example.com" });
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var email = "main@example.com";
        Assert.Equal(["same", "third"], await check.Customers.Where(c => c.Email != email).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync());
        // Two columns have blind indexes under keys of their own (HKDF per column): comparing them in the database would
        // silently match nothing, so it is refused before any SQL is sent, naming both properties.
        var error = await Assert.ThrowsAsync<EncryptedQueryException>(
            () => check.Customers.Where(c => c.Email == c.BackupEmail).Select(c => c.Name).ToListAsync());
        Assert.Contains("Customer.Email", error.Message, StringComparison.Ordinal);
        Assert.Contains("Customer.BackupEmail", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<EncryptedQueryException>(() => check.Customers.Where(c => c.Email != c.BackupEmail).ToListAsync());
    }

    [Promise("P-ENC-09")]
    [Fact]
    public async Task ReEncryptAsync_stopped_after_a_batch_resumes_where_it_stopped()
    {
        byte[] oldKey = EncryptionKeyRing.GenerateKey(), newKey = EncryptionKeyRing.GenerateKey(), blindKey = EncryptionKeyRing.GenerateKey();
        var ring = new EncryptionKeyRing().Add("old", oldKey).SetBlindIndexKey(blindKey);
        await using (var context = CreateContext(ring))
        {
            for (var i = 0; i < 7; i++)
            {
                context.Add(new Customer { Name = $"c{i}", Email = $"c{i}@example.com", Notes = $"note {i}" });
            }

            await context.SaveChangesAsync();
        }

        ring.Add("new", newKey, makeCurrent: true);
        using var stop = new CancellationTokenSource();
        var afterFirstBatch = new CancelAfterSave(stop);
        await using (var context = CreateContext(ring, afterFirstBatch))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.ReEncryptAsync<Customer>(batchSize: 3, stop.Token));
        }

        await using (var context = CreateContext(ring))
        {
            // The first batch committed before the stop: three rows moved, four still under the old key.
            var headers = await context.Database.SqlQueryRaw<string>("SELECT \"Email\" AS \"Value\" FROM \"Customers\"").ToListAsync();
            Assert.Equal(3, headers.Count(h => h.StartsWith("v2:new:", StringComparison.Ordinal)));
            Assert.Equal(4, headers.Count(h => h.StartsWith("v2:old:", StringComparison.Ordinal)));

            var resumed = await context.ReEncryptAsync<Customer>(batchSize: 3);
            Assert.Equal(4, resumed.RowsReEncrypted);
            Assert.Equal(2, resumed.Batches);
            Assert.Equal(0, (await context.ReEncryptAsync<Customer>(batchSize: 3)).RowsReEncrypted);
        }

        // Finished: a ring without the old key reads every row and finds them through the blind index.
        var retired = new EncryptionKeyRing().Add("new", newKey).SetBlindIndexKey(blindKey);
        await using (var context = CreateContext(retired))
        {
            var all = await context.Customers.OrderBy(c => c.Name).ToListAsync();
            Assert.Equal(Enumerable.Range(0, 7).Select(i => $"note {i}"), all.Select(c => c.Notes));
            Assert.Equal("c4", (await context.Customers.SingleAsync(c => c.Email == "c4@example.com")).Name);
        }
    }

    /// <summary>Cancels the token once the first SaveChanges (the first re-encrypted batch) has committed.</summary>
    private sealed class CancelAfterSave(CancellationTokenSource stop) : SaveChangesInterceptor
    {
        public int Saves { get; private set; }

        public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            Saves++;
            await stop.CancelAsync();
            return result;
        }
    }
}

public sealed class SqliteEncryptedQueryAndRotationTests() : EncryptedQueryAndRotationTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresEncryptedQueryAndRotationTests(PostgresServerFixture server) : EncryptedQueryAndRotationTests(new PostgresTestStore(server));
