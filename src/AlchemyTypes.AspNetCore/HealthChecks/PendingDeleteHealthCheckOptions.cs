namespace AlchemyTypes.AspNetCore.HealthChecks;

/// <summary>
/// When the pending-delete health check (<c>AddAlchemyTypesPendingDeletes&lt;TContext&gt;</c>) reports the storage delete outbox
/// as Degraded or Unhealthy. A threshold is reached when the backlog is at least that many rows, or the oldest row at
/// least that old; null switches a threshold off. docs/operations.md, "Health checks", explains the defaults.
/// </summary>
public sealed class PendingDeleteHealthCheckOptions
{
    /// <summary>The default <see cref="DegradedBacklog"/>: 10,000 rows.</summary>
    public const long DefaultDegradedBacklog = 10_000;

    /// <summary>The default <see cref="DegradedOldestAge"/>: 3 hours (three runs of the default hourly maintenance service).</summary>
    public static readonly TimeSpan DefaultDegradedOldestAge = TimeSpan.FromHours(3);

    /// <summary>Degraded from this many waiting deletes (default 10,000); null: never degraded by the count.</summary>
    public long? DegradedBacklog { get; set; } = DefaultDegradedBacklog;

    /// <summary>Degraded once the oldest waiting delete is this old (default 3 hours); null: never degraded by age.</summary>
    public TimeSpan? DegradedOldestAge { get; set; } = DefaultDegradedOldestAge;

    /// <summary>Unhealthy from this many waiting deletes; null (the default): a backlog alone never makes the app unhealthy.</summary>
    public long? UnhealthyBacklog { get; set; }

    /// <summary>Unhealthy once the oldest waiting delete is this old; null (the default): never unhealthy by age.</summary>
    public TimeSpan? UnhealthyOldestAge { get; set; }

    /// <summary>Throws when a threshold is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A threshold is zero or less, or an Unhealthy threshold is below its Degraded one (it would never report Degraded).
    /// </exception>
    public void Validate()
    {
        Positive(nameof(DegradedBacklog), DegradedBacklog);
        Positive(nameof(UnhealthyBacklog), UnhealthyBacklog);
        Positive(nameof(DegradedOldestAge), DegradedOldestAge);
        Positive(nameof(UnhealthyOldestAge), UnhealthyOldestAge);
        if (UnhealthyBacklog < DegradedBacklog)
        {
            throw new ArgumentOutOfRangeException(nameof(UnhealthyBacklog), UnhealthyBacklog, $"UnhealthyBacklog ({UnhealthyBacklog}) is below "
                + $"DegradedBacklog ({DegradedBacklog}): raise it, lower DegradedBacklog, or set DegradedBacklog to null.");
        }

        if (UnhealthyOldestAge < DegradedOldestAge)
        {
            throw new ArgumentOutOfRangeException(nameof(UnhealthyOldestAge), UnhealthyOldestAge, $"UnhealthyOldestAge ({UnhealthyOldestAge}) is "
                + $"below DegradedOldestAge ({DegradedOldestAge}): raise it, lower DegradedOldestAge, or set DegradedOldestAge to null.");
        }
    }

    private static void Positive<T>(string name, T? value)
        where T : struct, IComparable<T>
    {
        if (value is { } v && v.CompareTo(default) <= 0)
        {
            throw new ArgumentOutOfRangeException(name, v, $"The pending-delete health check threshold {name} must be more than zero, or null "
                + "to switch it off.");
        }
    }
}
