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
}
