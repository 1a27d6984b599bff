namespace AlchemyTypes;

/// <summary>
/// How far behind the storage delete outbox is (see <c>GetPendingStorageDeleteBacklogAsync</c>): how many
/// <see cref="PendingStorageDelete"/> rows wait, and since when.
/// </summary>
public sealed class PendingStorageDeleteBacklog
{
    /// <summary>Creates a measurement.</summary>
    /// <param name="count">The rows in the outbox.</param>
    /// <param name="oldestEnqueuedAt">When the oldest row was recorded (UTC); null when the outbox is empty.</param>
    /// <param name="measuredAt">When the backlog was measured (UTC), by the context's clock.</param>
    public PendingStorageDeleteBacklog(long count, DateTime? oldestEnqueuedAt, DateTime measuredAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        OldestEnqueuedAt = oldestEnqueuedAt;
        MeasuredAt = measuredAt;
    }

    /// <summary>The rows in the outbox: deletes recorded and not yet done (failed ones included).</summary>
    public long Count { get; }

    /// <summary>When the oldest row was recorded (UTC); null when the outbox is empty.</summary>
    public DateTime? OldestEnqueuedAt { get; }

    /// <summary>When the backlog was measured (UTC).</summary>
    public DateTime MeasuredAt { get; }

    /// <summary>How long the oldest row has waited (zero when the outbox is empty, never negative).</summary>
    public TimeSpan OldestAge => OldestEnqueuedAt is { } oldest && MeasuredAt > oldest ? MeasuredAt - oldest : TimeSpan.Zero;
}
