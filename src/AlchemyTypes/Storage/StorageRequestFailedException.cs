namespace AlchemyTypes.Storage;

/// <summary>
/// Thrown when a remote store (S3, Azure Blob Storage…) could not be reached or refused a request. The SDK's own
/// exception is the <see cref="Exception.InnerException"/>; <see cref="IsTransient"/> says whether retrying later may help.
/// </summary>
public sealed class StorageRequestFailedException : StorageException
{
    /// <summary>Creates an exception with no message.</summary>
    public StorageRequestFailedException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StorageRequestFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public StorageRequestFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the store answered with, or null when it could not be reached.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The store's error code (<c>AccessDenied</c>, <c>ServerBusy</c>…), when it sent one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>True when the store was unreachable, timed out or answered 5xx/429: retrying later may succeed.</summary>
    public bool IsTransient { get; init; }

    /// <summary>The key the request was about, when it was about one.</summary>
    public string? Key { get; init; }
}
