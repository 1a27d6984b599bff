namespace AlchemyTypes;

/// <summary>A direct upload could not be created or attached; <see cref="Failure"/> says why.</summary>
/// <remarks>Size and content-type checks of the property fail with <see cref="FileValidationException"/> instead.</remarks>
public sealed class DirectUploadException : AlchemyTypesException
{
    /// <summary>Creates the exception.</summary>
    public DirectUploadException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public DirectUploadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DirectUploadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a known failure.</summary>
    /// <param name="failure">Why.</param>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public DirectUploadException(DirectUploadFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Why the direct upload failed.</summary>
    public DirectUploadFailure Failure { get; }
}
