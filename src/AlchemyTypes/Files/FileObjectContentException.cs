namespace AlchemyTypes;

/// <summary>Thrown when a FileObject is given both a content stream and a source path, or neither.</summary>
public sealed class FileObjectContentException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public FileObjectContentException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public FileObjectContentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public FileObjectContentException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
