namespace AlchemyTypes;

/// <summary>Thrown when SaveChanges cannot store a FileObject's content (the backend failed). The database is unchanged and files uploaded
/// by the failed save are removed; the inner exception is the backend's error.</summary>
public sealed class FileStorageException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public FileStorageException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public FileStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public FileStorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The entity type and property being saved, as <c>Entity.Property</c>.</summary>
    public string? Property { get; init; }
}
