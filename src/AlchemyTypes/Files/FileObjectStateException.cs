namespace AlchemyTypes;

/// <summary>Thrown when a FileObject is used in a state that does not allow it: read before it is saved, or saved again after its one-shot
/// stream was consumed by a failed save.</summary>
public sealed class FileObjectStateException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public FileObjectStateException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public FileObjectStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public FileObjectStateException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
