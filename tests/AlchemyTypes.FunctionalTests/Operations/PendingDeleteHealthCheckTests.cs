using AlchemyTypes.AspNetCore.HealthChecks;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlchemyTypes.FunctionalTests.Operations;

/// <summary>The pending-delete health check on a real database: rows inserted in the outbox move it to Degraded and Unhealthy at the thresholds.</summary>
public abstract class PendingDeleteHealthCheckTests(ITestStore store) : IAsyncLifetime
{
    private const string Check = AlchemyTypesHealthChecksBuilderExtensions.PendingDeletesCheckName;
    private readonly InMemoryStorageBackend _storage = new();
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = OpsContext.Create(_database, "files", _storage);
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    [Promise("P-OPS-06")]
    public async Task The_backlog_is_degraded_from_the_count_threshold_and_unhealthy_from_the_unhealthy_one()
    {
        Assert.Equal(HealthStatus.Healthy, (await RunAsync(null)).Status);

        await RecordAsync(count: 3, age: TimeSpan.FromMinutes(1));
        var belowThreshold = await RunAsync(o => o.DegradedBacklog = 4);
        Assert.Equal(HealthStatus.Healthy, belowThreshold.Status);
        Assert.Equal(3L, belowThreshold.Data["backlog"]);

        var degraded = await RunAsync(o => o.DegradedBacklog = 3);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.StartsWith("3 pending storage deletes in OpsContext, the oldest waiting 1", degraded.Description, StringComparison.Ordinal);
        Assert.Contains("at least 3 waiting (Degraded thresholds)", degraded.Description, StringComparison.Ordinal);

        await RecordAsync(count: 2, age: TimeSpan.Zero);
        var unhealthy = await RunAsync(o => (o.DegradedBacklog, o.UnhealthyBacklog) = (3, 5));
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("at least 5 waiting (Unhealthy thresholds)", unhealthy.Description, StringComparison.Ordinal);
    }

    [Fact]
    [Promise("P-OPS-06")]
    public async Task The_backlog_is_degraded_by_age_with_the_default_three_hours_and_never_unhealthy_by_default()
    {
        await RecordAsync(count: 1, age: TimeSpan.FromHours(2));
        var young = await RunAsync(null);
        Assert.Equal(HealthStatus.Healthy, young.Status);
        Assert.InRange((double)young.Data["oldest_age_seconds"], 2 * 3600, 3 * 3600);

        await RecordAsync(count: 1, age: TimeSpan.FromDays(30));
        var old = await RunAsync(null);
        Assert.Equal(HealthStatus.Degraded, old.Status);
        Assert.Contains("the oldest at least 3 h old (Degraded thresholds)", old.Description, StringComparison.Ordinal);

        var unhealthy = await RunAsync(o => o.UnhealthyOldestAge = TimeSpan.FromDays(7));
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("the oldest at least 168 h old (Unhealthy thresholds)", unhealthy.Description, StringComparison.Ordinal);
    }

    [Fact]
    [Promise("P-OPS-06")]
    public async Task A_database_without_the_outbox_table_is_unhealthy_with_the_reason()
    {
        await using var empty = await store.CreateDatabaseAsync();
        await using var services = HealthCheckHost.Build(empty, [("files", _storage)], h => h.AddAlchemyTypesPendingDeletes<OpsContext>());

        var entry = await HealthCheckHost.RunAsync(services, Check);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("The pending storage delete backlog of OpsContext could not be measured: ", entry.Description, StringComparison.Ordinal);
        Assert.NotNull(entry.Exception);
    }

    [Fact]
    [Promise("P-OPS-01")]
    public async Task Measuring_the_backlog_records_the_backlog_and_oldest_age_gauges()
    {
        await RecordAsync(count: 7, age: TimeSpan.FromMinutes(10));
        using var telemetry = new TelemetryCollector("no-backend-attribute");
        await using var context = OpsContext.Create(_database, "files", _storage);

        var backlog = await context.GetPendingStorageDeleteBacklogAsync();

        Assert.Equal(7, backlog.Count);
        Assert.InRange(backlog.OldestAge, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(60));
        Assert.Contains(telemetry.Of("alchemytypes.pending_deletes.backlog"), m => m.Value == 7 && m.Unit == "{delete}");
        Assert.Contains(telemetry.Of("alchemytypes.pending_deletes.oldest_age"), m => m.Unit == "s" && m.Value >= 9 * 60 && m.Value < 3600);
    }

    private async Task<HealthReportEntry> RunAsync(Action<PendingDeleteHealthCheckOptions>? configure)
    {
        await using var services = HealthCheckHost.Build(_database, [("files", _storage)], h => h.AddAlchemyTypesPendingDeletes<OpsContext>(configure));
        return await HealthCheckHost.RunAsync(services, Check);
    }

    /// <summary>Outbox rows for a backend this context does not have: the delete after the commit fails, so they stay, as in an outage.</summary>
    private async Task RecordAsync(int count, TimeSpan age)
    {
        await using var context = OpsContext.Create(_database, "files", _storage);
        for (var i = 0; i < count; i++)
        {
            context.Add(new PendingStorageDelete
            {
                Id = Guid.CreateVersion7(),
                Backend = "archive",
                Key = $"waiting/{Guid.NewGuid():N}",
                EnqueuedAt = DateTime.UtcNow - age,
            });
        }

        await context.SaveChangesAsync();
    }
}

public sealed class SqlitePendingDeleteHealthCheckTests() : PendingDeleteHealthCheckTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresPendingDeleteHealthCheckTests(PostgresServerFixture server) : PendingDeleteHealthCheckTests(new PostgresTestStore(server));

/// <summary>The thresholds are checked when the check is registered, with exceptions naming the option.</summary>
public sealed class PendingDeleteHealthCheckOptionsTests
{
    [Fact]
    [Promise("P-OPS-07")]
    public void Out_of_range_or_inverted_thresholds_throw_at_registration_naming_the_option()
    {
        var builder = new ServiceCollection().AddHealthChecks();
        Assert.Equal(
            nameof(PendingDeleteHealthCheckOptions.DegradedBacklog),
            Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddAlchemyTypesPendingDeletes<OpsContext>(o => o.DegradedBacklog = 0)).ParamName);
        Assert.Equal(
            nameof(PendingDeleteHealthCheckOptions.UnhealthyOldestAge),
            Assert.Throws<ArgumentOutOfRangeException>(
                () => builder.AddAlchemyTypesPendingDeletes<OpsContext>(o => o.UnhealthyOldestAge = TimeSpan.FromMinutes(-1))).ParamName);
        var inverted = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddAlchemyTypesPendingDeletes<OpsContext>(o => o.UnhealthyBacklog = 100));
        Assert.Equal(nameof(PendingDeleteHealthCheckOptions.UnhealthyBacklog), inverted.ParamName);
        Assert.Contains("below DegradedBacklog (10000)", inverted.Message, StringComparison.Ordinal);

        // Switching the Degraded threshold off makes any Unhealthy one valid; nothing was registered by the failed calls.
        builder.AddAlchemyTypesPendingDeletes<OpsContext>(o => (o.DegradedBacklog, o.UnhealthyBacklog) = (null, 100));
        var registrations = builder.Services.BuildServiceProvider()
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Single(registrations);
    }
}
