namespace AlchemyTypes;

/// <summary>
/// Turns direct uploads on (see <c>DbContext.CreateDirectUploadAsync</c>): the secret that signs attach tokens and how long an
/// upload target lives. Pass to <see cref="AlchemyTypesOptionsBuilder.UseDirectUploads"/>.
/// </summary>
public sealed class DirectUploadOptions
{
    /// <summary>The shortest signing key accepted: 32 bytes (256 bits).</summary>
    public const int MinSigningKeyLength = 32;

    /// <summary>The longest an upload target may live: one day.</summary>
    public static readonly TimeSpan MaxExpiry = TimeSpan.FromDays(1);

    /// <summary>
    /// The secret the attach tokens are signed with (HMAC-SHA256 under a key derived from it), at least
    /// <see cref="MinSigningKeyLength"/> random bytes. Keep it out of source control; every instance of the app needs the same one.
    /// </summary>
    public required byte[] SigningKey { get; init; }

    /// <summary>How long an upload target (its URL and its attach token) stays valid; 15 minutes unless set, at most one day.</summary>
    public TimeSpan ExpiresIn { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Checks the options.</summary>
    /// <exception cref="AlchemyTypesConfigurationException">The key is missing or short, or the expiry is out of range.</exception>
    public void Validate()
    {
        if (SigningKey is null || SigningKey.Length < MinSigningKeyLength)
        {
            throw new AlchemyTypesConfigurationException($"The direct-upload signing key must have at least {MinSigningKeyLength} bytes "
                + "(for example RandomNumberGenerator.GetBytes(32), kept in your secret store).");
        }

        if (ExpiresIn <= TimeSpan.Zero || ExpiresIn > MaxExpiry)
        {
            throw new AlchemyTypesConfigurationException($"Direct-upload targets must expire after more than zero and at most {MaxExpiry}; "
                + $"{ExpiresIn} was given.");
        }
    }
}
