namespace AlchemyTypes.Storage;

/// <summary>Thrown when a backend is asked for something it cannot do (signing URLs without a signing credential, say).</summary>
public sealed class StorageCapabilityException : StorageException
{
    /// <summary>Creates an exception with no message.</summary>
    public StorageCapabilityException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StorageCapabilityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public StorageCapabilityException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
