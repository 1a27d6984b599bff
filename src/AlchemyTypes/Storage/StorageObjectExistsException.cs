namespace AlchemyTypes.Storage;

/// <summary>Thrown when an upload would replace an existing object and overwriting was not allowed.</summary>
public sealed class StorageObjectExistsException : StorageException
{
    /// <summary>Creates an exception with no message.</summary>
    public StorageObjectExistsException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StorageObjectExistsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public StorageObjectExistsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="backend">A description of the backend.</param>
    /// <returns>The exception.</returns>
    public static StorageObjectExistsException ForKey(string key, string backend)
        => new($"An object with key '{key}' already exists in {backend}; it was not replaced. Use another key, or set Overwrite = true to "
            + $"replace it.") { Key = key };

    /// <summary>The key, when known.</summary>
    public string? Key { get; private init; }
}
