namespace AlchemyTypes;

/// <summary>Thrown when a file breaks a rule attached to its property (maximum size, allowed content types). Nothing is stored: the check
/// happens before the upload, or stops it.</summary>
public sealed class FileValidationException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public FileValidationException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public FileValidationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public FileValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The entity type and property the rule belongs to, as <c>Entity.Property</c>.</summary>
    public string? Property { get; init; }
}
