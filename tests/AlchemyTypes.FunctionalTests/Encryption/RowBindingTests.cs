using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Encryption;

/// <summary>
/// Values bound to their row (<c>[Encrypted(BindToRow = true)]</c>, format v3), tried as an attacker with write access to
/// the table would: a value copied to another row fails when that row's entity is loaded, with a typed error naming entity
/// and property, and the row it came from is intact. The limits SECURITY.md states are tested as limits.
/// </summary>
public abstract class RowBindingTests(ITestStore store) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private RowBindingContext CreateContext(EncryptionKeyRing? ring = null)
        => new((ring is null ? SecretsConfiguration.Configure<RowBindingContext>(_database, store)
            : SecretsConfiguration.Configure<RowBindingContext>(_database, ring)).Options);

    // Column names are the test's own constants, never input.
    private static async Task<string?> RawAsync(DbContext context, string column, Guid id)
    {
        var sql = "SELECT \"" + column + "\" AS \"Value\" FROM \"Records\" WHERE \"Id\" = {0}";
        return await context.Database.SqlQueryRaw<string>(sql, id).SingleAsync();
    }

    private static Task CopyAsync(DbContext context, string column, Guid from, Guid to)
    {
        var sql = "UPDATE \"Records\" SET \"" + column + "\" = (SELECT \"" + column + "\" FROM \"Records\" WHERE \"Id\" = {0}) WHERE \"Id\" = {1}";
        return context.Database.ExecuteSqlRawAsync(sql, from, to);
    }

    private async Task<(Guid First, Guid Second)> SeedAsync()
    {
        await using var context = CreateContext();
        var first = new MedicalRecord { Patient = "first", Diagnosis = "asthma", Email = "ann@example.com", Note = "first note" };
        var second = new MedicalRecord { Patient = "second", Diagnosis = "none", Email = "ben@example.com", Note = "second note" };
        context.AddRange(first, second);
        await context.SaveChangesAsync();
        return (first.Id, second.Id);
    }

    [Fact]
    [Promise("P-ENC-14")]
    public async Task Values_are_stored_in_v3_and_read_back_in_their_own_row()
    {
        var (first, second) = await SeedAsync();
        await using var context = CreateContext();
        Assert.StartsWith("v3:", await RawAsync(context, "Diagnosis", first), StringComparison.Ordinal);
        Assert.StartsWith("v2:", await RawAsync(context, "Note", first), StringComparison.Ordinal);
        var records = await context.Records.OrderBy(r => r.Patient).ToListAsync();
        Assert.Equal(["asthma", "none"], records.Select(r => r.Diagnosis));
        Assert.Equal(second, (await context.Records.SingleAsync(r => r.Email == "ben@example.com")).Id);   // the blind index still answers

        records[0].Diagnosis = "asthma, mild";
        await context.SaveChangesAsync();
        await using var check = CreateContext();
        Assert.Equal("asthma, mild", (await check.Records.SingleAsync(r => r.Id == first)).Diagnosis);
    }

    [Fact]
    [Promise("P-ENC-14")]
    public async Task A_value_copied_to_another_row_fails_naming_entity_and_property_and_the_source_row_is_intact()
    {
        var (first, second) = await SeedAsync();
        await using (var context = CreateContext())
        {
            await CopyAsync(context, "Diagnosis", first, second);
        }

        await using (var context = CreateContext())
        {
            var tracked = await Assert.ThrowsAsync<EncryptedValueException>(() => context.Records.Where(r => r.Id == second).ToListAsync());
            Assert.Equal(EncryptedValueFailure.WrongRow, tracked.Failure);
            Assert.Equal(nameof(MedicalRecord), tracked.EntityType);
            Assert.Equal(nameof(MedicalRecord.Diagnosis), tracked.Property);
            Assert.DoesNotContain("asthma", tracked.Message, StringComparison.Ordinal);
            var untracked = await Assert.ThrowsAsync<EncryptedValueException>(() => context.Records.AsNoTracking().SingleAsync(r => r.Id == second));
            Assert.Equal(EncryptedValueFailure.WrongRow, untracked.Failure);
            Assert.Equal("asthma", (await context.Records.SingleAsync(r => r.Id == first)).Diagnosis);
        }

        // ReEncryptAsync does not launder it into the other row either: it leaves current-format values alone.
        await using (var context = CreateContext())
        {
            Assert.Equal(0, (await context.ReEncryptAsync<MedicalRecord>()).RowsReEncrypted);
            var again = await Assert.ThrowsAsync<EncryptedValueException>(() => context.Records.SingleAsync(r => r.Id == second));
            Assert.Equal(EncryptedValueFailure.WrongRow, again.Failure);
        }
    }

    [Fact]
    [Promise("P-ENC-14")]
    public async Task Equal_values_of_two_rows_saved_from_one_string_instance_are_each_bound_to_their_own_row()
    {
        var shared = string.Concat("same ", "diagnosis");
        Guid first, second;
        await using (var context = CreateContext())
        {
            var a = new MedicalRecord { Patient = "a", Diagnosis = shared, Email = "a@example.com" };
            var b = new MedicalRecord { Patient = "b", Diagnosis = shared, Email = "b@example.com" };
            context.AddRange(a, b);
            await context.SaveChangesAsync();
            (first, second) = (a.Id, b.Id);
            Assert.Equal(shared, a.Diagnosis);
            Assert.Equal(shared, b.Diagnosis);
        }

        await using (var context = CreateContext())
        {
            Assert.All(await context.Records.ToListAsync(), r => Assert.Equal("same diagnosis", r.Diagnosis));
            await CopyAsync(context, "Diagnosis", first, second);
        }

        await using var check = CreateContext();
        var error = await Assert.ThrowsAsync<EncryptedValueException>(() => check.Records.SingleAsync(r => r.Id == second));
        Assert.Equal(EncryptedValueFailure.WrongRow, error.Failure);
    }

    [Fact]
    [Promise("P-ENC-15")]
    public async Task Limit_a_projection_that_further_operators_compose_on_is_not_checked()
    {
        var (first, second) = await SeedAsync();
        await using var context = CreateContext();
        await CopyAsync(context, "Diagnosis", first, second);
        Assert.Equal("asthma", await context.Records.Select(r => new { r.Id, r.Diagnosis }).Where(r => r.Id == second)
            .Select(r => r.Diagnosis).Distinct().SingleAsync());
    }

    [Fact]
    [Promise("P-ENC-51")]
    public async Task A_projection_of_the_property_with_its_entity_checks_the_row()
    {
        var (first, second) = await SeedAsync();
        await using var context = CreateContext();
        Assert.Equal("none", await context.Records.Where(r => r.Id == second).Select(r => r.Diagnosis).SingleAsync());
        await CopyAsync(context, "Diagnosis", first, second);

        var scalar = await Assert.ThrowsAsync<EncryptedValueException>(() =>
            context.Records.Where(r => r.Id == second).Select(r => r.Diagnosis).SingleAsync());
        Assert.Equal(EncryptedValueFailure.WrongRow, scalar.Failure);
        var anonymous = await Assert.ThrowsAsync<EncryptedValueException>(() =>
            context.Records.OrderBy(r => r.Patient).Select(r => new { r.Patient, Value = r.Diagnosis }).Take(10).ToListAsync());
        Assert.Equal(EncryptedValueFailure.WrongRow, anonymous.Failure);
        Assert.Equal(nameof(MedicalRecord.Diagnosis), anonymous.Property);
        var byName = await Assert.ThrowsAsync<EncryptedValueException>(() =>
            context.Records.Where(r => r.Id == second).Select(r => EF.Property<string>(r, nameof(MedicalRecord.Diagnosis))).FirstAsync());
        Assert.Equal(EncryptedValueFailure.WrongRow, byName.Failure);
        Assert.Equal("asthma", await context.Records.Where(r => r.Id == first).Select(r => r.Diagnosis).SingleAsync());
    }

    [Theory]
    [Promise("P-ENC-50")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reload_of_a_row_holding_another_rows_value_fails_and_a_later_save_does_not_bind_it_to_this_row(bool async)
    {
        var (first, second) = await SeedAsync();
        await using var context = CreateContext();
        var record = await context.Records.SingleAsync(r => r.Id == second);
        Assert.Equal("none", record.Diagnosis);
        await using (var attacker = CreateContext())
        {
            await CopyAsync(attacker, "Diagnosis", first, second);
        }

        var entry = context.Entry(record);
        var error = async
            ? await Assert.ThrowsAsync<EncryptedValueException>(() => entry.ReloadAsync())
            : Assert.Throws<EncryptedValueException>(() => entry.Reload());
        Assert.Equal(EncryptedValueFailure.WrongRow, error.Failure);
        Assert.Equal(nameof(MedicalRecord), error.EntityType);
        Assert.Equal(nameof(MedicalRecord.Diagnosis), error.Property);
        Assert.Equal("none", record.Diagnosis);

        // Whatever the application saves next, the copied value is never re-encrypted as this row's own.
        record.Patient = "second, edited";
        context.Entry(record).Property(r => r.Diagnosis).IsModified = true;
        await context.SaveChangesAsync();
        await using var check = CreateContext();
        Assert.Equal("none", (await check.Records.SingleAsync(r => r.Id == second)).Diagnosis);
        Assert.Equal("asthma", (await check.Records.SingleAsync(r => r.Id == first)).Diagnosis);
    }

    [Theory]
    [Promise("P-ENC-50")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetDatabaseValues_of_a_row_holding_another_rows_value_fails(bool async)
    {
        var (first, second) = await SeedAsync();
        await using var context = CreateContext();
        var record = await context.Records.SingleAsync(r => r.Id == second);
        var own = async ? await context.Entry(record).GetDatabaseValuesAsync() : context.Entry(record).GetDatabaseValues();
        Assert.Equal("none", own!.GetValue<string>(nameof(MedicalRecord.Diagnosis)));
        await CopyAsync(context, "Diagnosis", first, second);

        var entry = context.Entry(record);
        var error = async
            ? await Assert.ThrowsAsync<EncryptedValueException>(() => entry.GetDatabaseValuesAsync())
            : Assert.Throws<EncryptedValueException>(() => entry.GetDatabaseValues());
        Assert.Equal(EncryptedValueFailure.WrongRow, error.Failure);
        Assert.Equal(nameof(MedicalRecord.Diagnosis), error.Property);
        var source = await context.Records.SingleAsync(r => r.Id == first);
        Assert.Equal("asthma", (await context.Entry(source).GetDatabaseValuesAsync())!.GetValue<string>(nameof(MedicalRecord.Diagnosis)));
    }

    [Fact]
    [Promise("P-ENC-52")]
    public async Task A_value_read_without_its_row_check_is_not_saved_into_another_row_but_a_checked_one_may_be_copied()
    {
        var (first, second) = await SeedAsync();
        await using (var attacker = CreateContext())
        {
            await CopyAsync(attacker, "Diagnosis", first, second);
        }

        await using (var context = CreateContext())
        {
            // A projection that further operators compose on is not checked (the limit above): its value may be another row's.
            var unverified = await context.Records.Select(r => new { r.Id, r.Diagnosis }).Where(r => r.Id == second).SingleAsync();
            Assert.Equal("asthma", unverified.Diagnosis);
            var target = new MedicalRecord { Patient = "third", Diagnosis = unverified.Diagnosis, Email = "cy@example.com" };
            context.Add(target);
            var error = await Assert.ThrowsAsync<EncryptedValueException>(() => context.SaveChangesAsync());
            Assert.Equal(EncryptedValueFailure.UncheckedRow, error.Failure);
            Assert.Equal(nameof(MedicalRecord.Diagnosis), error.Property);
        }

        await using (var context = CreateContext())
        {
            Assert.Equal(2, await context.Records.CountAsync());

            // A value read from an entity loaded in its own row was checked: the application may copy it into another row.
            var source = await context.Records.SingleAsync(r => r.Id == first);
            var copy = new MedicalRecord { Patient = "fourth", Diagnosis = source.Diagnosis, Email = "dee@example.com" };
            context.Add(copy);
            await context.SaveChangesAsync();
            await using var check = CreateContext();
            Assert.Equal("asthma", (await check.Records.SingleAsync(r => r.Id == copy.Id)).Diagnosis);
            Assert.Equal("asthma", (await check.Records.SingleAsync(r => r.Id == first)).Diagnosis);
        }
    }

    [Fact]
    [Promise("P-ENC-53")]
    public async Task ReEncryptAsync_skips_and_reports_a_copied_value_and_rotates_every_other_row()
    {
        var ring = SecretsConfiguration.NewRing();
        var ids = new List<Guid>();
        await using (var context = CreateContext(ring))
        {
            for (var i = 0; i < 5; i++)
            {
                var record = new MedicalRecord { Patient = $"p{i}", Diagnosis = $"diagnosis {i}", Email = $"p{i}@example.com", Note = $"note {i}" };
                context.Add(record);
                ids.Add(record.Id);
            }

            await context.SaveChangesAsync();
            await CopyAsync(context, "Diagnosis", ids[0], ids[3]);
        }

        ring.Add("rotated", EncryptionKeyRing.GenerateKey(), makeCurrent: true);
        await using (var context = CreateContext(ring))
        {
            var result = await context.ReEncryptAsync<MedicalRecord>(batchSize: 2);
            Assert.Equal(4, result.RowsReEncrypted);
            Assert.Equal(1, result.RowsSkipped);
            var skipped = Assert.Single(result.Skipped);
            Assert.Equal(ids[3], Assert.Single(skipped.Key));
            Assert.Equal(nameof(MedicalRecord.Diagnosis), skipped.Property);
            Assert.Equal(EncryptedValueFailure.WrongRow, skipped.Failure);
            Assert.DoesNotContain("diagnosis 0", skipped.Reason, StringComparison.Ordinal);
            foreach (var id in ids.Where(id => id != ids[3]))
            {
                Assert.StartsWith("v3:rotated:", await RawAsync(context, "Diagnosis", id), StringComparison.Ordinal);
            }

            // The copied value is left as it was (under the old key, still refused), never laundered into its new row.
            Assert.DoesNotContain(":rotated:", await RawAsync(context, "Diagnosis", ids[3]), StringComparison.Ordinal);
            var again = await context.ReEncryptAsync<MedicalRecord>();
            Assert.Equal(0, again.RowsReEncrypted);
            Assert.Equal(ids[3], Assert.Single(Assert.Single(again.Skipped).Key));
        }

        await using var check = CreateContext(ring);
        Assert.Equal(EncryptedValueFailure.WrongRow,
            (await Assert.ThrowsAsync<EncryptedValueException>(() => check.Records.SingleAsync(r => r.Id == ids[3]))).Failure);
        Assert.Equal("diagnosis 4", (await check.Records.SingleAsync(r => r.Id == ids[4])).Diagnosis);
    }

    [Fact]
    [Promise("P-ENC-15")]
    public async Task A_database_generated_key_is_a_configuration_error_and_nothing_is_saved()
    {
        await using (var context = CreateContext())
        {
            context.Add(new Ticket { Secret = "s" });
            var error = await Assert.ThrowsAsync<AlchemyTypesConfigurationException>(() => context.SaveChangesAsync());
            Assert.Contains("generated by the database", error.Message, StringComparison.Ordinal);
        }

        await using var check = CreateContext();
        Assert.Equal(0, await check.Tickets.CountAsync());
    }

    [Fact]
    [Promise("P-ENC-15")]
    public async Task ExecuteUpdate_of_a_row_bound_property_is_refused_before_any_SQL()
    {
        var (first, _) = await SeedAsync();
        await using var context = CreateContext();
        var error = await Assert.ThrowsAsync<EncryptedQueryException>(() =>
            context.Records.Where(r => r.Id == first).ExecuteUpdateAsync(s => s.SetProperty(r => r.Diagnosis, "changed")));
        Assert.Contains("bound to its row", error.Message, StringComparison.Ordinal);
        Assert.Equal("asthma", (await context.Records.AsNoTracking().SingleAsync(r => r.Id == first)).Diagnosis);
    }

    [Fact]
    [Promise("P-ENC-14")]
    public async Task A_v2_value_reads_ReEncryptAsync_upgrades_it_to_v3_and_RejectUnboundValues_then_refuses_v2()
    {
        var ring = SecretsConfiguration.NewRing();
        Guid id;
        await using (var context = CreateContext(ring))
        {
            var record = new MedicalRecord { Patient = "legacy", Diagnosis = "placeholder", Email = "old@example.com" };
            context.Add(record);
            await context.SaveChangesAsync();
            id = record.Id;

            // A value of the earlier format (bound to its column only), as a release before row binding wrote it.
            var converter = (EncryptedStringConverter)context.Model.FindEntityType(typeof(MedicalRecord))!.FindProperty("Diagnosis")!.GetValueConverter()!;
            await context.Database.ExecuteSqlRawAsync("UPDATE \"Records\" SET \"Diagnosis\" = {0} WHERE \"Id\" = {1}",
                EncryptedStringCipher.Encrypt(ring, "legacy diagnosis", converter.Binding), id);
        }

        await using (var context = CreateContext(ring))
        {
            Assert.Equal("legacy diagnosis", (await context.Records.SingleAsync(r => r.Id == id)).Diagnosis);
            Assert.True((await context.ReEncryptAsync<MedicalRecord>()).RowsReEncrypted >= 1);
            Assert.StartsWith("v3:", await RawAsync(context, "Diagnosis", id), StringComparison.Ordinal);
            Assert.Equal(0, (await context.ReEncryptAsync<MedicalRecord>()).RowsReEncrypted);
        }

        ring.RejectUnboundValues();
        await using (var context = CreateContext(ring))
        {
            Assert.Equal("legacy diagnosis", (await context.Records.SingleAsync(r => r.Id == id)).Diagnosis);
            var converter = (EncryptedStringConverter)context.Model.FindEntityType(typeof(MedicalRecord))!.FindProperty("Diagnosis")!.GetValueConverter()!;
            await context.Database.ExecuteSqlRawAsync("UPDATE \"Records\" SET \"Diagnosis\" = {0} WHERE \"Id\" = {1}",
                EncryptedStringCipher.Encrypt(ring, "downgraded", converter.Binding), id);
        }

        await using var check = CreateContext(ring);
        var error = await Assert.ThrowsAsync<EncryptedValueException>(() => check.Records.SingleAsync(r => r.Id == id));
        Assert.Equal(EncryptedValueFailure.Unbound, error.Failure);
    }
}

public sealed class SqliteRowBindingTests() : RowBindingTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresRowBindingTests(PostgresServerFixture server) : RowBindingTests(new PostgresTestStore(server));
