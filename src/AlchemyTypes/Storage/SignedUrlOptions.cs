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

    /// <summary>
    /// For PUT: the content type the uploader must send, when the backend can enforce it. For GET: the file's type, which decides
    /// <c>inline</c> or <c>attachment</c> (<see cref="FileServing.IsInline"/>) and which S3 and Azure send as the response's
    /// <c>Content-Type</c>; unknown (null) means <c>attachment</c>. <see cref="FileObject.GetSignedUrlAsync"/> sets the row's type.
    /// </summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// For GET: the name the browser saves the file as, sent in <c>Content-Disposition</c> (<see cref="FileServing.ContentDisposition"/>);
    /// the key's last segment when null. <see cref="FileObject.GetSignedUrlAsync"/> sets the row's <see cref="FileObject.FileName"/>.
    /// </summary>
    public string? FileName { get; init; }

    /// <summary>
    /// For GET: let the browser display the file (<c>inline</c>) when its type is on the allowlist of
    /// <see cref="FileServing.CanDisplayInline"/> (true, the default); every other type, and every type when false, is sent as
    /// <c>attachment</c>.
    /// </summary>
    public bool Inline { get; init; } = true;

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

        if (FileName is { Length: > 1024 })
        {
            throw new ArgumentOutOfRangeException(nameof(FileName), FileName.Length, "A download name can have at most 1024 characters.");
        }

        if (!Enum.IsDefined(Method))
        {
            throw new ArgumentOutOfRangeException(nameof(Method), Method, "Use SignedUrlMethod.Get or SignedUrlMethod.Put.");
        }
    }
}
