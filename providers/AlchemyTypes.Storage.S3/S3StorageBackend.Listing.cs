using System.Runtime.CompilerServices;
using Amazon.S3.Model;

namespace AlchemyTypes.Storage.S3;

/// <summary>
/// Listing with <c>ListObjects</c>: a page of up to 1,000 keys a request, in the order of the keys' UTF-8 bytes. Each next
/// page starts after the last key of the previous one (<c>Marker</c>), which is <c>ListObjectsV2</c>'s <c>StartAfter</c>
/// without its continuation token: S3-compatible stores that cannot make V2 continuation tokens (s3rver on OpenSSL 3,
/// whose DES cipher is disabled, answers every truncated V2 page with a 500) page too, and a listing resumes from a key.
/// </summary>
public sealed partial class S3StorageBackend
{
    /// <summary>The most keys one <c>ListObjects</c> request returns.</summary>
    public const int MaxKeysPerListRequest = 1000;

    /// <inheritdoc />
    public bool CanList => true;

    /// <inheritdoc />
    public IAsyncEnumerable<StoredObjectInfo> ListAsync(StorageListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StorageListOptions();
        options.Validate();
        return ListCoreAsync(options, cancellationToken);
    }

    private async IAsyncEnumerable<StoredObjectInfo> ListCoreAsync(StorageListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsRequest
        {
            BucketName = _bucket,
            Prefix = _prefix + (options.Prefix ?? ""),
            MaxKeys = Math.Min(options.PageSize, MaxKeysPerListRequest),
            Marker = options.StartAfter is null ? null : _prefix + options.StartAfter,
        };
        while (true)
        {
            ListObjectsResponse response;
            try
            {
                response = await _client.ListObjectsAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
            {
                throw _errors.MapFailure(ex, "listing", request.Prefix ?? "", cancellationToken);
            }

            string? lastRawKey = null;
            foreach (var item in response.S3Objects ?? [])
            {
                lastRawKey = item.Key;
                if (!item.Key.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var key = item.Key[_prefix.Length..];
                if (!StorageKey.IsValid(key))
                {
                    continue; // written by something else (a "folder" marker ending in '/', say): never a FileObject key
                }

                yield return new StoredObjectInfo
                {
                    Key = key,
                    Size = item.Size ?? 0,
                    ETag = item.ETag,
                    LastModified = item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : null,
                };
            }

            if (response.IsTruncated != true || lastRawKey is null)
            {
                yield break;
            }

            request.Marker = lastRawKey;
        }
    }
}
