namespace AlchemyTypes.Passwords;

/// <summary>
/// Thrown when a stored hash asks for more work than the hasher's verification limit allows (a BCrypt cost above
/// <c>MaxVerifyWorkFactor</c>): nothing was computed. The application's own hashes never exceed the limit, so such a hash
/// was most likely written into the database by someone else; verifying it could take hours or days of CPU time.
/// </summary>
public sealed class PasswordHashCostException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public PasswordHashCostException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PasswordHashCostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PasswordHashCostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the algorithm, the stored cost and the limit.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="storedCost">The cost the stored hash asks for.</param>
    /// <param name="maxCost">The hasher's verification limit.</param>
    public PasswordHashCostException(string algorithm, int storedCost, int maxCost)
        : base($"The stored {algorithm} hash asks for cost {storedCost}, above this hasher's verification limit of {maxCost}, so it was not "
            + "computed (each step of cost doubles the time). The application's own hashes stay within the limit: this one was probably written "
            + "into the database by someone else. Reset the account's password, or raise the limit (MaxVerifyWorkFactor) if your own hashes "
            + "really use that cost.")
    {
        Algorithm = algorithm;
        StoredCost = storedCost;
        MaxCost = maxCost;
    }

    /// <summary>The algorithm of the refused hash.</summary>
    public string? Algorithm { get; }

    /// <summary>The cost the stored hash asks for.</summary>
    public int StoredCost { get; }

    /// <summary>The hasher's verification limit.</summary>
    public int MaxCost { get; }
}
