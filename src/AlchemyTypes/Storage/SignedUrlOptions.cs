namespace AlchemyTypes.Storage;

/// <summary>What a signed URL allows, and for how long.</summary>
public sealed class SignedUrlOptions
{
    /// <summary>The longest lifetime a signed URL may have: 7 days (the limit of S3 SigV4).</summary>
    public static readonly TimeSpan MaxExpiry = TimeSpan.FromDays(7);

    /// <summary>Read (GET, the default) or write (PUT).</summary>
    public SignedUrlMethod Method { get; init; } = SignedUrlMethod.Get;

    /// <summary>How long the URL stays valid: 1 hour unless set; more than zero and at most <see cref="MaxExpiry"/>.</summary>
    public TimeSpan ExpiresIn { get; init; } = TimeSpan.FromHours(1);

    /// <summary>For PUT: the content type the uploader must send, when the backend can enforce it.</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// For PUT: the most bytes the upload may have, where the backend can enforce it while receiving (the local backend's
    /// endpoint does; S3 and Azure presigned URLs cannot, so the direct-upload attach step checks the size afterwards).
    /// </summary>
    public long? MaxSize { get; init; }

    /// <summary>Checks the options; backends call it before signing.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The expiry is not positive or longer than <see cref="MaxExpiry"/>.</exception>
    public void Validate()
    {
        if (ExpiresIn <= TimeSpan.Zero || ExpiresIn > MaxExpiry)
        {
            throw new ArgumentOutOfRangeException(nameof(ExpiresIn), ExpiresIn, $"A signed URL must expire after more than zero and at most "
                + $"{MaxExpiry.TotalDays} days.");
        }

        if (MaxSize is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSize), MaxSize, "The largest upload size cannot be negative.");
        }

        if (!Enum.IsDefined(Method))
        {
            throw new ArgumentOutOfRangeException(nameof(Method), Method, "Use SignedUrlMethod.Get or SignedUrlMethod.Put.");
        }
    }
}
