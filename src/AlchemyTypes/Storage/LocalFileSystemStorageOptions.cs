namespace AlchemyTypes;

/// <summary>
/// Settings of a <see cref="LocalFileSystemStorageBackend"/>. With <see cref="SigningKey"/> and <see cref="BaseUrl"/> set it signs
/// URLs (GET and PUT) that the ASP.NET Core endpoint <c>app.MapAlchemyTypesLocalStorage(backend)</c> serves.
/// </summary>
public sealed class LocalFileSystemStorageOptions
{
    /// <summary>The shortest signing key accepted: 32 bytes.</summary>
    public const int MinSigningKeyLength = 32;

    /// <summary>The folder that holds the objects (created if needed).</summary>
    public required string RootDirectory { get; init; }

    /// <summary>The secret signed URLs are signed with (HMAC-SHA256 under a key derived from it), at least 32 random bytes; null: no signing.</summary>
    public byte[]? SigningKey { get; init; }

    /// <summary>
    /// The absolute http(s) URL the endpoint is mapped at, e.g. <c>https://example.com/files/</c>; a key <c>a/b.pdf</c> is served at
    /// <c>https://example.com/files/a/b.pdf?…</c>. Null: no signing.
    /// </summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The largest upload the endpoint accepts through a signed PUT URL (a URL may bind a smaller one): 5 GiB unless set.</summary>
    public long MaxUploadSize { get; init; } = 5L * 1024 * 1024 * 1024;

    /// <summary>The clock expiry is read from; the system clock unless set.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <exception cref="AlchemyTypesConfigurationException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RootDirectory))
        {
            throw new AlchemyTypesConfigurationException("LocalFileSystemStorageOptions.RootDirectory is required: the folder that holds the files.");
        }

        if ((SigningKey is null) != (BaseUrl is null))
        {
            throw new AlchemyTypesConfigurationException("Signed URLs on the local backend need both SigningKey and BaseUrl (or neither).");
        }

        if (SigningKey is { Length: < MinSigningKeyLength })
        {
            throw new AlchemyTypesConfigurationException($"The local backend's SigningKey must have at least {MinSigningKeyLength} bytes "
                + "(RandomNumberGenerator.GetBytes(32), kept in your secret store).");
        }

        if (BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment)))
        {
            throw new AlchemyTypesConfigurationException($"The local backend's BaseUrl '{url}' must be an absolute http or https URL "
                + "without query or fragment, e.g. https://example.com/files/.");
        }

        if (MaxUploadSize <= 0)
        {
            throw new AlchemyTypesConfigurationException("The local backend's MaxUploadSize must be more than zero.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
