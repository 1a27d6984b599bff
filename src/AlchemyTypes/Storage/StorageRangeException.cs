namespace AlchemyTypes.Storage;

/// <summary>Thrown when a byte range does not fit the object.</summary>
public sealed class StorageRangeException : StorageException
{
    /// <summary>Creates an exception with no message.</summary>
    public StorageRangeException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StorageRangeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public StorageRangeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
