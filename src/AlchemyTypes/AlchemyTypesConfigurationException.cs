namespace AlchemyTypes;

/// <summary>
/// Thrown when AlchemyTypes is configured inconsistently: an unknown storage backend name, a missing key ring,
/// an attribute placed on a property of the wrong type, and similar mistakes that a code change must fix.
/// </summary>
public sealed class AlchemyTypesConfigurationException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public AlchemyTypesConfigurationException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is misconfigured and how to fix it.</param>
    public AlchemyTypesConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is misconfigured and how to fix it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public AlchemyTypesConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
