namespace AlchemyTypes;

/// <summary>What one run of <c>ProcessPendingStorageDeletesAsync</c> did.</summary>
public sealed class PendingStorageDeleteReport
{
    internal PendingStorageDeleteReport(int deleted, IReadOnlyList<PendingStorageDeleteFailure> failures)
    {
        Deleted = deleted;
        Failures = failures;
    }

    /// <summary>How many recorded deletes succeeded (their outbox rows are gone).</summary>
    public int Deleted { get; }

    /// <summary>The deletes that failed again; their rows stay, with one more attempt and the error.</summary>
    public IReadOnlyList<PendingStorageDeleteFailure> Failures { get; }
}
