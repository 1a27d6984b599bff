namespace AlchemyTypes.Maintenance;

/// <summary>What one scrub read and found.</summary>
public sealed class FileScrubReport
{
    /// <summary>Files in the scrubbed backends, sampled or not.</summary>
    public long FilesSeen { get; init; }

    /// <summary>Files re-read and verified.</summary>
    public long FilesVerified { get; init; }

    /// <summary>Bytes read from storage.</summary>
    public long BytesRead { get; init; }

    /// <summary>Files whose size or checksum did not match, or whose object was missing.</summary>
    public long MismatchCount { get; init; }

    /// <summary>Verified files whose row records no checksum (written by another library): only their size was compared.</summary>
    public long WithoutChecksum { get; init; }

    /// <summary>The mismatches, up to <see cref="FileScrubOptions.MaxReportedItems"/>.</summary>
    public IReadOnlyList<FileScrubMismatch> Mismatches { get; init; } = [];
}
