namespace AlchemyTypes.Storage;

/// <summary>The outcome of a batch delete: every key is in exactly one of <see cref="Deleted"/> and <see cref="Failed"/>.</summary>
public sealed class StorageDeleteResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="deleted">The keys now absent (missing ones included).</param>
    /// <param name="failed">The keys that could not be deleted, with the reason.</param>
    /// <param name="requestCount">How many requests the backend made.</param>
    public StorageDeleteResult(IReadOnlyList<string> deleted, IReadOnlyDictionary<string, string> failed, int requestCount)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        ArgumentNullException.ThrowIfNull(failed);
        Deleted = deleted;
        Failed = failed;
        RequestCount = requestCount;
    }

    /// <summary>The keys now absent.</summary>
    public IReadOnlyList<string> Deleted { get; }

    /// <summary>The keys that could not be deleted, each with the backend's reason.</summary>
    public IReadOnlyDictionary<string, string> Failed { get; }

    /// <summary>How many requests the backend sent (for a 1,000-key S3 batch: 1).</summary>
    public int RequestCount { get; }

    /// <summary>True when no key failed.</summary>
    public bool Succeeded => Failed.Count == 0;
}
