using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlchemyTypes.AspNetCore.HealthChecks;

/// <summary>
/// Measures the storage delete outbox of <typeparamref name="TContext"/> (<c>GetPendingStorageDeleteBacklogAsync</c>) and
/// compares it with the thresholds: Unhealthy past an Unhealthy threshold, Degraded past a Degraded one, Healthy otherwise;
/// the registration's failure status when the query fails (the database is unreachable, or the table is missing).
/// </summary>
internal sealed class PendingDeleteHealthCheck<TContext>(IServiceProvider services, PendingDeleteHealthCheckOptions options) : IHealthCheck
    where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        PendingStorageDeleteBacklog backlog;
        try
        {
            var db = services.GetRequiredService<TContext>();
            backlog = await db.GetPendingStorageDeleteBacklogAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"The pending storage delete backlog of {typeof(TContext).Name} could not be measured: {ex.GetType().Name}: {ex.Message}", ex);
        }

        var age = backlog.OldestAge;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["backlog"] = backlog.Count,
            ["oldest_age_seconds"] = Math.Round(age.TotalSeconds, 3),
        };
        var summary = $"{backlog.Count.ToString("N0", CultureInfo.InvariantCulture)} pending storage deletes in {typeof(TContext).Name}"
            + (backlog.Count == 0 ? "" : $", the oldest waiting {Describe(age)}");
        var unhealthy = Reasons(backlog.Count, age, options.UnhealthyBacklog, options.UnhealthyOldestAge);
        if (unhealthy.Count > 0)
        {
            return HealthCheckResult.Unhealthy($"{summary}: {string.Join(" and ", unhealthy)} (Unhealthy thresholds).", data: data);
        }

        var degraded = Reasons(backlog.Count, age, options.DegradedBacklog, options.DegradedOldestAge);
        if (degraded.Count > 0)
        {
            return HealthCheckResult.Degraded($"{summary}: {string.Join(" and ", degraded)} (Degraded thresholds). Check that "
                + "ProcessPendingStorageDeletesAsync (or AddFileMaintenance) runs and why deletes fail (PendingStorageDelete.LastError).", data: data);
        }

        return HealthCheckResult.Healthy(summary + ".", data);
    }

    private static List<string> Reasons(long count, TimeSpan age, long? maxCount, TimeSpan? maxAge)
    {
        var reasons = new List<string>(2);
        if (count >= maxCount)
        {
            reasons.Add($"at least {maxCount.Value.ToString("N0", CultureInfo.InvariantCulture)} waiting");
        }

        if (count > 0 && age >= maxAge)
        {
            reasons.Add($"the oldest at least {Describe(maxAge.Value)} old");
        }

        return reasons;
    }

    private static string Describe(TimeSpan span)
        => span.TotalHours >= 1 ? FormattableString.Invariant($"{span.TotalHours:0.#} h")
            : span.TotalMinutes >= 1 ? FormattableString.Invariant($"{span.TotalMinutes:0.#} min")
            : FormattableString.Invariant($"{span.TotalSeconds:0.#} s");
}
