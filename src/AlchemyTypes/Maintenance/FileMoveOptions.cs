namespace AlchemyTypes.Maintenance;

/// <summary>What <c>context.MoveFilesAsync</c> moves, and from where to where.</summary>
public sealed class FileMoveOptions
{
    /// <summary>The registered name of the storage backend the files are on now.</summary>
    public string FromBackend { get; init; } = "";

    /// <summary>The registered name of the storage backend the files go to (not <see cref="FromBackend"/>).</summary>
    public string ToBackend { get; init; } = "";

    /// <summary>
    /// The FileObject / FileObjectList properties to move, as <c>Entity.Property</c> (for example <c>"Contract.Scan"</c>);
    /// every file property of every entity type when null.
    /// </summary>
    public IReadOnlyCollection<string>? Properties { get; init; }

    /// <summary>Rows read, copied and rewritten per committed batch (1 to 10,000; default 500).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>How many objects are copied at once (1 to 64; default 4).</summary>
    public int MaxConcurrentCopies { get; init; } = 4;

    /// <summary>How many skipped files the report lists (the counts are always complete; default 1,000).</summary>
    public int MaxReportedItems { get; init; } = 1000;

    /// <summary>
    /// How long each old object is kept after its row was rewritten (1 minute to 365 days; default 24 hours): longer than any
    /// writer holds a row it loaded before saving it (a request, an edit form). A writer that loaded a row before the move
    /// and saves its file column afterwards writes the old location back; the old object must still be there. Once the
    /// hold is over, <c>ReconcileFilesAsync</c> deletes the old object if, and only if, no row references it.
    /// </summary>
    public TimeSpan SourceRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The clock the hold of old objects is measured with; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Throws when an option is out of range or missing.</summary>
    /// <exception cref="ArgumentException">A backend name is missing, or both name the same backend.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range; the message says what to use.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FromBackend) || string.IsNullOrWhiteSpace(ToBackend))
        {
            throw new ArgumentException(
                "Name both storage backends of a move: FromBackend (where the files are) and ToBackend (where they go), as registered "
                    + "with AddStorage.",
                string.IsNullOrWhiteSpace(FromBackend) ? nameof(FromBackend) : nameof(ToBackend));
        }

        if (string.Equals(FromBackend, ToBackend, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"FromBackend and ToBackend are both '{FromBackend}': a move needs two different backends. To re-verify files in place, "
                    + "use ScrubFilesAsync.",
                nameof(ToBackend));
        }

        if (BatchSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be between 1 and 10,000 (500 is a good start).");
        }

        if (MaxConcurrentCopies is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentCopies), MaxConcurrentCopies, "Copy 1 to 64 objects at once.");
        }

        if (SourceRetention < TimeSpan.FromMinutes(1) || SourceRetention > TimeSpan.FromDays(365))
        {
            throw new ArgumentOutOfRangeException(
                nameof(SourceRetention),
                SourceRetention,
                "Keep old objects 1 minute to 365 days after the move: longer than any writer holds a row it loaded before saving it "
                    + "(24 hours, the default, suits web applications).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxReportedItems);
    }
}
