namespace AlchemyTypes.Storage;

/// <summary>The base class of storage errors: a backend failed, an object is missing, a key is invalid.</summary>
public class StorageException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public StorageException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public StorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
