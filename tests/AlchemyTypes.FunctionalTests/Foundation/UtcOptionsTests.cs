using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.FunctionalTests.Foundation;

/// <summary>The UTC switches (per property, per model), own converters, DateTimeOffset, query parameters and key generators.</summary>
public abstract class UtcOptionsTests(ITestStore store) : IAsyncLifetime
{
    private static readonly DateTime Unspecified = new(2025, 1, 1, 9, 0, 0, DateTimeKind.Unspecified);

    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private UtcOptionsContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<UtcOptionsContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes();
        return new UtcOptionsContext(builder.Options);
    }

    [Promise("P-UTC-01", "P-UTC-08")]
    [Fact]
    public async Task An_unspecified_DateTime_used_as_a_query_parameter_is_refused()
    {
        await using var context = CreateContext();
        var error = await Assert.ThrowsAsync<UnspecifiedDateTimeKindException>(() => context.Readings.Where(r => r.TakenAt > Unspecified).ToListAsync());
        Assert.Contains("TakenAt", error.Message, StringComparison.Ordinal);
    }

    [Promise("P-UTC-10")]
    [Fact]
    public async Task ExecuteUpdate_with_an_unspecified_DateTime_is_refused_by_the_parameter_conversion()
    {
        var utc = new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var context = CreateContext())
        {
            context.Readings.Add(new Reading { TakenAt = utc });
            await context.SaveChangesAsync();
            var value = Unspecified;
            await Assert.ThrowsAsync<UnspecifiedDateTimeKindException>(() => context.Readings.ExecuteUpdateAsync(s => s.SetProperty(r => r.TakenAt, value)));
        }

        await using var check = CreateContext();
        Assert.Equal(utc, (await check.Readings.SingleAsync()).TakenAt);
    }

    [Promise("P-UTC-04")]
    [Fact]
    public async Task A_property_opted_out_with_HasUtcEnforcement_false_keeps_an_unspecified_value()
    {
        await using (var context = CreateContext())
        {
            context.Readings.Add(new Reading { TakenAt = DateTime.UtcNow, FluentWallClock = Unspecified });
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var stored = (await check.Readings.SingleAsync()).FluentWallClock!.Value;
        Assert.Equal(Unspecified, stored);
        Assert.Equal(DateTimeKind.Unspecified, stored.Kind);
    }

    [Promise("P-UTC-05")]
    [Fact]
    public async Task A_property_with_its_own_converter_is_left_alone()
    {
        await using (var context = CreateContext())
        {
            var converter = context.Model.FindEntityType(typeof(Reading))!.FindProperty(nameof(Reading.OwnConverter))!.GetValueConverter();
            Assert.NotNull(converter);
            Assert.Equal(typeof(long), converter.ProviderClrType);
            context.Readings.Add(new Reading { TakenAt = DateTime.UtcNow, OwnConverter = Unspecified });
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var stored = (await check.Readings.SingleAsync()).OwnConverter!.Value;
        Assert.Equal(Unspecified.Ticks, stored.Ticks);
        Assert.Equal(DateTimeKind.Unspecified, stored.Kind);
    }

    [Promise("P-UTC-06")]
    [Fact]
    public async Task DateTimeOffset_is_not_touched()
    {
        // Npgsql accepts offset zero only (timestamptz); SQLite stores the offset as text.
        var offset = store is PostgresTestStore ? TimeSpan.Zero : TimeSpan.FromHours(5.5);
        var value = new DateTimeOffset(2025, 3, 4, 10, 15, 0, offset);
        await using (var context = CreateContext())
        {
            Assert.Null(context.Model.FindEntityType(typeof(Reading))!.FindProperty(nameof(Reading.Offset))!.GetValueConverter());
            context.Readings.Add(new Reading { TakenAt = DateTime.UtcNow, Offset = value });
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var stored = (await check.Readings.SingleAsync()).Offset!.Value;
        Assert.Equal(value, stored);
        Assert.Equal(offset, stored.Offset);
    }

    [Promise("P-UTC-04")]
    [Fact]
    public async Task EnforceUtcDateTimes_false_turns_enforcement_off_for_the_whole_model()
    {
        var builder = new DbContextOptionsBuilder<UnenforcedContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.EnforceUtcDateTimes(false));
        await using (var context = new UnenforcedContext(builder.Options))
        {
            await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
            Assert.Null(context.Model.FindEntityType(typeof(Reading))!.FindProperty(nameof(Reading.TakenAt))!.GetValueConverter());
            context.Readings.Add(new Reading { TakenAt = Unspecified });
            await context.SaveChangesAsync();
        }

        await using var check = new UnenforcedContext(builder.Options);
        var stored = (await check.Readings.SingleAsync()).TakenAt;
        Assert.Equal(Unspecified, stored);
        Assert.Equal(DateTimeKind.Unspecified, stored.Kind);
    }

    [Promise("P-KEYS-02")]
    [Fact]
    public async Task Key_attributes_and_fluent_generators_fill_any_property()
    {
        await using (var context = CreateContext())
        {
            context.Keys.AddRange(new GeneratedKeys(), new GeneratedKeys());
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var rows = await check.Keys.OrderBy(k => k.Id).ToListAsync();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, k =>
        {
            Assert.Equal(7, k.ByAttributeV7.Version);
            Assert.Equal(6, k.ByAttributeV6.Version);
            Assert.Equal(4, k.ByAttributeV4.Version);
            Assert.Matches("^[A-Za-z0-9_-]{12}$", k.ByAttributeNanoid);
            Assert.Equal(7, k.FluentV7.Version);
            Assert.Equal(6, k.FluentV6.Version);
            Assert.Matches("^[a-f]{8}$", k.FluentNanoid);
        });
        Assert.NotEqual(rows[0].ByAttributeV7, rows[1].ByAttributeV7);
        Assert.NotEqual(rows[0].FluentNanoid, rows[1].FluentNanoid);
        var entity = check.Model.FindEntityType(typeof(GeneratedKeys))!;
        Assert.Equal(12, entity.FindProperty(nameof(GeneratedKeys.ByAttributeNanoid))!.GetMaxLength());
        Assert.Equal(8, entity.FindProperty(nameof(GeneratedKeys.FluentNanoid))!.GetMaxLength());
    }
}

public sealed class SqliteUtcOptionsTests() : UtcOptionsTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresUtcOptionsTests(PostgresServerFixture server) : UtcOptionsTests(new PostgresTestStore(server));
