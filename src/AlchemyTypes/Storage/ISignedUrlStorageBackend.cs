namespace AlchemyTypes.Storage;

/// <summary>A backend that can issue time-limited URLs to read or write an object without credentials.</summary>
public interface ISignedUrlStorageBackend : IStorageBackend
{
    /// <summary>Whether this backend instance can sign now (an Azure client without a shared key cannot, say).</summary>
    bool CanSignUrls { get; }

    /// <summary>Creates a signed URL.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="options">GET or PUT, expiry, content type for uploads.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The URL, valid until <see cref="SignedUrlOptions.ExpiresIn"/> has passed.</returns>
    /// <exception cref="StorageCapabilityException">This backend instance cannot sign URLs.</exception>
    Task<Uri> GetSignedUrlAsync(string key, SignedUrlOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// The headers an upload through a signed PUT URL must carry: <c>Content-Type</c> when <see cref="SignedUrlOptions.ContentType"/>
    /// is set, plus what the service requires (Azure adds <c>x-ms-blob-type: BlockBlob</c>).
    /// </summary>
    /// <param name="options">The options the URL was signed with.</param>
    /// <returns>Header names and values, to send exactly.</returns>
    IReadOnlyDictionary<string, string> GetSignedUploadHeaders(SignedUrlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ContentType is { } type
            ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = type }
            : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    }
}
