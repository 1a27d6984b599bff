namespace AlchemyTypes.Maintenance;

/// <summary>How <c>context.ReconcileFilesAsync</c> compares storage with the rows.</summary>
public sealed class FileReconcileOptions
{
    /// <summary>
    /// Objects written less than this long ago are never deleted, referenced or not: an upload happens before the row that
    /// references it commits, so the grace period must be longer than the longest save or transaction (default 24 hours; at
    /// least <see cref="MinimumGracePeriod"/>).
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The shortest grace period accepted: one hour. A shorter one lets reconciliation delete the upload of a save or
    /// transaction still in flight (or of a direct upload not yet attached), a live file.
    /// </summary>
    public static readonly TimeSpan MinimumGracePeriod = TimeSpan.FromHours(1);

    /// <summary>Report orphans and missing files without recording any delete.</summary>
    public bool DryRun { get; init; }

    /// <summary>The storage backends to reconcile, by registered name; every registered backend when null.</summary>
    public IReadOnlyCollection<string>? Backends { get; init; }

    /// <summary>Rows read per query and orphans recorded per statement batch (1 to 10,000; default 1,000).</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>
    /// How many keys are sorted in memory before a sorted run is written to a temporary file (1,000 to 10,000,000; default
    /// 100,000). Memory is proportional to this, not to the number of rows or objects.
    /// </summary>
    public int SortBufferSize { get; init; } = 100_000;

    /// <summary>How many orphans and missing files the report lists by name (the counts are always complete; default 1,000).</summary>
    public int MaxReportedItems { get; init; } = 1000;

    /// <summary>The clock the grace period is measured with; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The grace period is shorter than <see cref="MinimumGracePeriod"/>, or a size is out of
    /// range; the message says what to use.</exception>
    public void Validate()
    {
        if (GracePeriod < MinimumGracePeriod)
        {
            throw new ArgumentOutOfRangeException(
                nameof(GracePeriod),
                GracePeriod,
                $"The grace period must be at least {MinimumGracePeriod.TotalHours:0} hour: an object is uploaded before the row that "
                    + "references it commits, so a shorter grace period lets reconciliation delete the file of a save or transaction "
                    + "still in flight. Use more than the longest transaction that uploads files (the default, 24 hours, suits most "
                    + "applications); to test reconciliation, move the clock forward with FileReconcileOptions.TimeProvider instead.");
        }

        if (BatchSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be between 1 and 10,000.");
        }

        if (SortBufferSize is < 1000 or > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(SortBufferSize), SortBufferSize, "The sort buffer holds 1,000 to 10,000,000 keys.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxReportedItems);
    }
}
