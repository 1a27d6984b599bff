using AlchemyTypes.Storage;

namespace AlchemyTypes.Shared.Integrity;

/// <summary>Builds the <see cref="StorageIntegrityException"/> of every backend, with one message shape.</summary>
internal static class IntegrityFailure
{
    /// <summary>The exception for an upload of <paramref name="key"/> to <paramref name="store"/> whose stored object differs from what was sent.</summary>
    /// <param name="key">The key.</param>
    /// <param name="store">The backend's description.</param>
    /// <param name="sentBytes">How many bytes were sent.</param>
    /// <param name="storedBytes">How many the store holds, when known.</param>
    /// <param name="mismatch">The checksum comparison that failed, when one did.</param>
    /// <param name="removed">Whether the object (or the parts sent) was removed.</param>
    /// <param name="hint">What to check, specific to the store.</param>
    public static StorageIntegrityException Create(
        string key, string store, long sentBytes, long? storedBytes, ChecksumMismatchException? mismatch, bool removed, string hint)
    {
        var what = storedBytes is { } stored && stored != sentBytes
            ? $"{sentBytes:N0} bytes were sent but it holds {stored:N0}"
            : mismatch is not null ? mismatch.Message : "what it holds differs from what was sent";
        var left = removed ? "The object was removed" : "Removing the object failed too: it is an orphan until reconciliation removes it";
        return new StorageIntegrityException(
            $"{store} accepted the upload of '{key}' but holds other bytes than were sent: {what}. {left}, and nothing was saved that refers to it. {hint}",
            mismatch)
        {
            Key = key,
            SentBytes = sentBytes,
            StoredBytes = storedBytes,
            SentChecksum = mismatch?.Sent,
            StoredChecksum = mismatch?.Stored,
            ObjectRemoved = removed,
        };
    }
}
