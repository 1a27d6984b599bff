namespace AlchemyTypes.Passwords;

/// <summary>
/// Thrown when a password is longer than the hashing algorithm can take without truncating it (BCrypt: 72 UTF-8 bytes).
/// AlchemyTypes refuses it rather than hash a prefix, which would make every password sharing that prefix valid.
/// </summary>
public sealed class PasswordTooLongException : InvalidPasswordException
{
    /// <summary>Creates an exception with no message.</summary>
    public PasswordTooLongException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PasswordTooLongException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PasswordTooLongException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the algorithm, its limit and the length given.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="maxBytes">The limit in UTF-8 bytes.</param>
    /// <param name="actualBytes">The length of the password in UTF-8 bytes.</param>
    public PasswordTooLongException(string algorithm, int maxBytes, int actualBytes)
        : base($"The password is {actualBytes} UTF-8 bytes long; {algorithm} takes at most {maxBytes} bytes and would silently ignore the rest. "
            + $"Limit passwords to {maxBytes} bytes in your input validation, or hash new passwords with Argon2 (UseArgon2()).")
    {
        Algorithm = algorithm;
        MaxBytes = maxBytes;
        ActualBytes = actualBytes;
    }

    /// <summary>The algorithm that refused the password.</summary>
    public string? Algorithm { get; }

    /// <summary>The limit in UTF-8 bytes.</summary>
    public int MaxBytes { get; }

    /// <summary>The length of the refused password in UTF-8 bytes.</summary>
    public int ActualBytes { get; }
}
