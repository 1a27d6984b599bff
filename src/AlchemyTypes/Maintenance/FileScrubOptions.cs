namespace AlchemyTypes.Maintenance;

/// <summary>How <c>context.ScrubFilesAsync</c> re-reads stored objects.</summary>
public sealed class FileScrubOptions
{
    /// <summary>The share of files to re-read, more than 0 and at most 1 (default 1: all). Each file is picked at random with this probability.</summary>
    public double SampleRate { get; init; } = 1;

    /// <summary>The seed of the sample, to repeat one; a random sample when null.</summary>
    public int? Seed { get; init; }

    /// <summary>The most bytes read from storage per second, to spare the store and the network; unlimited when null.</summary>
    public long? MaxBytesPerSecond { get; init; }

    /// <summary>The storage backends whose files are scrubbed, by registered name; all when null.</summary>
    public IReadOnlyCollection<string>? Backends { get; init; }

    /// <summary>Rows read per query (1 to 10,000; default 500).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>How many mismatches the report lists (the count is always complete; default 1,000).</summary>
    public int MaxReportedItems { get; init; } = 1000;

    /// <summary>The clock the rate limit waits on; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message says what to use.</exception>
    public void Validate()
    {
        if (!(SampleRate > 0 && SampleRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "The sample rate is more than 0 and at most 1 (1 re-reads every file).");
        }

        if (MaxBytesPerSecond is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytesPerSecond), MaxBytesPerSecond, "The rate limit must be more than zero bytes "
                + "per second, or null for none.");
        }

        if (BatchSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be between 1 and 10,000.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxReportedItems);
    }
}
