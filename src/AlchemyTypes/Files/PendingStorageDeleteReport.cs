namespace AlchemyTypes;

/// <summary>What one run of <c>ProcessPendingStorageDeletesAsync</c> did.</summary>
public sealed class PendingStorageDeleteReport
{
    internal PendingStorageDeleteReport(int deleted, int failed, IReadOnlyList<PendingStorageDeleteFailure> failures)
    {
        Deleted = deleted;
        Failed = failed;
        Failures = failures;
    }

    /// <summary>How many recorded deletes succeeded (their outbox rows are gone).</summary>
    public int Deleted { get; }

    /// <summary>How many recorded deletes failed again; their rows stay, with one more attempt and the error.</summary>
    public int Failed { get; }

    /// <summary>The failed deletes, the first 1,000 of them (<see cref="Failed"/> counts them all).</summary>
    public IReadOnlyList<PendingStorageDeleteFailure> Failures { get; }
}
