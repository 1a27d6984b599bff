namespace AlchemyTypes;

/// <summary>
/// The base class of every exception thrown by AlchemyTypes, so that callers can catch the library's errors as one family.
/// </summary>
public class AlchemyTypesException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public AlchemyTypesException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public AlchemyTypesException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public AlchemyTypesException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
