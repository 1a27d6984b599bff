namespace AlchemyTypes.Passwords;

/// <summary>The outcome of <see cref="PasswordHash.VerifyAndUpgrade"/>.</summary>
public sealed class PasswordVerificationResult
{
    internal PasswordVerificationResult(bool valid, PasswordHash? newHash)
    {
        Valid = valid;
        NewHash = newHash;
    }

    /// <summary>Whether the password matched the stored hash.</summary>
    public bool Valid { get; }

    /// <summary>
    /// When the password was valid and the stored hash used weaker parameters or another algorithm than the one
    /// configured for new hashes: a new hash of the same password to assign to the property and save. Otherwise null.
    /// </summary>
    public PasswordHash? NewHash { get; }

    /// <inheritdoc />
    public override string ToString() => Valid ? (NewHash is null ? "valid" : "valid, upgraded") : "invalid";
}
