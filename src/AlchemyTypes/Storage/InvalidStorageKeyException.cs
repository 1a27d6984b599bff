namespace AlchemyTypes.Storage;

/// <summary>Thrown when an object key is unsafe or malformed: empty, too long, absolute, with '..' or '.' segments, backslashes, control
/// characters, or (for the local backend) a path that leaves the root.</summary>
public sealed class InvalidStorageKeyException : StorageException
{
    /// <summary>Creates an exception with no message.</summary>
    public InvalidStorageKeyException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public InvalidStorageKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public InvalidStorageKeyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
