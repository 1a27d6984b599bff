namespace AlchemyTypes.Passwords;

/// <summary>
/// Thrown when a <see cref="PasswordHash"/> is used in a state that does not allow the operation: verifying a password
/// that has not been hashed yet (it is hashed by <c>SaveChanges</c>), or a hash that is not attached to a context's hashers.
/// </summary>
public sealed class PasswordHashStateException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public PasswordHashStateException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    public PasswordHashStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PasswordHashStateException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
