namespace AlchemyTypes.Storage;

/// <summary>Thrown when an object that must exist does not (reading, getting its properties).</summary>
public sealed class StorageObjectNotFoundException : StorageException
{
    /// <summary>Creates an exception with no message.</summary>
    public StorageObjectNotFoundException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StorageObjectNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public StorageObjectNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the missing key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="backend">A description of the backend.</param>
    /// <returns>The exception.</returns>
    public static StorageObjectNotFoundException ForKey(string key, string backend)
        => new($"No object with key '{key}' exists in {backend}.") { Key = key };

    /// <summary>The missing key, when known.</summary>
    public string? Key { get; private init; }
}
