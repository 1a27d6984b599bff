namespace AlchemyTypes.Passwords;

/// <summary>Thrown when a password cannot be hashed: null or empty, or refused by the algorithm (see <see cref="PasswordTooLongException"/>).</summary>
public class InvalidPasswordException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public InvalidPasswordException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is wrong with the password and what to do.</param>
    public InvalidPasswordException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong with the password and what to do.</param>
    /// <param name="innerException">The underlying cause.</param>
    public InvalidPasswordException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
