using AlchemyTypes.Shared.Storage;
using System.Net;
using AlchemyTypes.Shared.Integrity;
using AlchemyTypes.Shared.IO;
using AlchemyTypes.Shared.Threading;
using AlchemyTypes.Shared.Transfers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace AlchemyTypes.Storage.S3;

/// <summary>
/// Stores objects in an Amazon S3 bucket, or in any S3-compatible store (MinIO, s3rver…) through a path-style client.
/// Uploads stream: content up to <see cref="S3StorageOptions.MultipartThreshold"/> goes in one PUT, larger content as a
/// multipart upload whose parts are read into a few reused buffers, so memory does not grow with the object; a failed
/// or cancelled multipart upload is aborted. Batch deletes use <c>DeleteObjects</c> (1,000 keys a request).
/// Every upload is verified before it returns: the size S3 reports (the HEAD every upload makes for the last-modified time)
/// and the ETag S3 computed (the MD5 of the content, or of the parts' MD5s) must match what was sent, hashed on the way;
/// otherwise the object is removed and <see cref="StorageIntegrityException"/> is thrown (docs/integrity.md).
/// </summary>
/// <remarks>
/// The synchronous members run the asynchronous ones on the thread pool and wait (the AWS SDK for .NET has no
/// synchronous API on .NET Core): they exist for EF Core's synchronous <c>SaveChanges</c>; prefer the asynchronous ones.
/// </remarks>
public sealed partial class S3StorageBackend : ISignedUrlStorageBackend, IDisposable
{
    /// <summary>The most keys one <c>DeleteObjects</c> request takes.</summary>
    public const int MaxKeysPerDeleteRequest = 1000;

    private const string MetadataPrefix = "x-amz-meta-";
    private const int MaxParts = 10_000;
    private static readonly StorageUploadOptions DefaultUploadOptions = new();

    private readonly IAmazonS3 _client;
    private readonly S3StorageOptions _options;
    private readonly bool _ownsClient;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly S3ErrorMapper _errors;
    private readonly ChunkedUploader _uploader;

    /// <summary>Creates a backend over <paramref name="client"/>, which stays the caller's (it is not disposed).</summary>
    /// <param name="client">
    /// The S3 client, with the caller's credentials and region. For MinIO and s3rver set <c>ServiceURL</c> and
    /// <c>ForcePathStyle = true</c> on its <c>AmazonS3Config</c> (and, for s3rver, <c>RequestChecksumCalculation</c> and
    /// <c>ResponseChecksumValidation</c> to <c>WHEN_REQUIRED</c>).
    /// </param>
    /// <param name="options">The bucket and upload settings; copied, so later changes do not apply.</param>
    /// <exception cref="AlchemyTypesConfigurationException">The options are not valid.</exception>
    public S3StorageBackend(IAmazonS3 client, S3StorageOptions options)
        : this(client, options, ownsClient: false)
    {
    }

    internal S3StorageBackend(IAmazonS3 client, S3StorageOptions options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _options = options.Clone();
        _ownsClient = ownsClient;
        _bucket = options.BucketName!;
        _prefix = options.KeyPrefix ?? "";
        _errors = new S3ErrorMapper(_bucket, ToString());
        var o = _options;
        _uploader = new(new(o.PartSize, o.MaxConcurrency, o.EffectiveMultipartThreshold, MaxParts, "S3StorageOptions.PartSize",
            o.AbortTimeout, o.TimeProvider, o.RequestTimeout), _errors);
    }

    /// <summary>The bucket.</summary>
    public string BucketName => _bucket;

    /// <summary>The prefix put before every key, or "" for none.</summary>
    public string KeyPrefix => _prefix;

    /// <summary>Whether this backend can sign URLs: true, S3 clients always sign with their credentials.</summary>
    public bool CanSignUrls => true;

    /// <inheritdoc />
    public async Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }

        options ??= DefaultUploadOptions;
        var objectKey = _prefix + key;
        if (!options.Overwrite && await TimedAsync(t => ExistsCoreAsync(key, t), "HEAD", key, cancellationToken).ConfigureAwait(false))
        {
            throw StorageObjectExistsException.ForKey(key, ToString());
        }

        var target = new S3MultipartTarget(_client, _bucket, objectKey, _options, options);
        var (stored, sent) = await _uploader.UploadAsync(target, key, content, cancellationToken).ConfigureAwait(false);

        // The ETag S3 computed is the MD5 of what it stored (or of its parts' MD5s): compare it with what was sent.
        ChecksumMismatchException? mismatch = null;
        // Each part's ETag was compared as it was answered; the completed one is compared when the store uses S3's form for it
        // (s3rver answers a plain MD5 there, which the size check below backs up).
        if (stored.ETagIsMd5 && S3ETags.Of(sent) is { } expected && (sent.PartMd5s is null || S3ETags.IsMultipartForm(stored.ETag))
            && !S3ETags.Same(expected, stored.ETag))
        {
            mismatch = new ChecksumMismatchException("The ETag S3 computed", expected, stored.ETag ?? "none");
        }

        // S3 does not return the last-modified time of a write: one HEAD gets it (FileObject records it), and its size is
        // compared with what was sent. Should that HEAD fail, the object is stored all the same (its ETag was checked):
        // report what was sent and what S3 answered, without the time.
        StoredObjectInfo? info = null;
        if (mismatch is null)
        {
            try
            {
                info = await TimedAsync(t => GetInfoAsync(key, t), "HEAD", key, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException)
            {
                // Fall through: the write succeeded, only its description is incomplete.
            }
        }

        if (mismatch is not null || (info is not null && info.Size != sent.Size))
        {
            var removed = await RemoveCorruptAsync(objectKey).ConfigureAwait(false);
            throw IntegrityFailure.Create(key, ToString(), sent.Size, info?.Size, mismatch, removed, _errors.IntegrityHint);
        }

        if (info is not null)
        {
            return info;
        }

        return new StoredObjectInfo
        {
            Key = key,
            Size = sent.Size,
            ContentType = options.ContentType ?? "application/octet-stream",
            ETag = stored.ETag,
            VersionId = string.IsNullOrEmpty(stored.VersionId) ? null : stored.VersionId,
            Metadata = new Dictionary<string, string>(options.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <inheritdoc />
    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        return Synchronously.Run(() => UploadAsync(key, content, options));
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        var request = new GetObjectRequest { BucketName = _bucket, Key = _prefix + key };
        if (range is { } r)
        {
            request.ByteRange = new ByteRange(r.ToHttpRangeHeader());
        }

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && range is { Offset: 0 })
        {
            // S3 answers 416 to any range of an empty object; the contract reads it as empty.
            var info = await GetInfoAsync(key, cancellationToken).ConfigureAwait(false);
            return info.Size == 0 ? new MemoryStream([], writable: false) : throw Map(ex, "read", key, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "read", key, cancellationToken);
        }

        // Some S3-compatible stores ignore or misread a range (s3rver answers "bytes=0-0" with the whole object): never
        // return more than was asked for.
        return new BoundedReadStream(response.ResponseStream, Math.Min(range?.Length ?? long.MaxValue, response.ContentLength), owner: response);
    }

    /// <inheritdoc />
    public Stream OpenRead(string key, StorageRange? range = null)
    {
        StorageKey.Validate(key);
        return Synchronously.Run(() => OpenReadAsync(key, range));
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        return ExistsCoreAsync(key, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        GetObjectMetadataResponse response;
        try
        {
            response = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "HEAD", key, cancellationToken);
        }

        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in response.Metadata.Keys)
        {
            var shortName = name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? name[MetadataPrefix.Length..] : name;
            metadata[shortName] = response.Metadata[name];
        }

        return new StoredObjectInfo
        {
            Key = key,
            Size = response.ContentLength,
            ContentType = string.IsNullOrEmpty(response.Headers.ContentType) ? "application/octet-stream" : response.Headers.ContentType,
            ETag = response.ETag,
            LastModified = response.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified.ToUniversalTime(),
                DateTimeKind.Utc)) : null,
            VersionId = string.IsNullOrEmpty(response.VersionId) ? null : response.VersionId,
            Metadata = metadata,
        };
    }

    /// <inheritdoc />
    /// <remarks>
    /// S3 checks <c>If-Match</c> on delete atomically; S3-compatible stores that ignore it (s3rver, older MinIO) are protected
    /// only by the HEAD comparison made first, so an object stored under the same key between the two requests can be deleted.
    /// </remarks>
    public async Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        StorageKey.Validate(key);
        try
        {
            if (options.IfMatchETag is { } etag)
            {
                var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken)
                    .ConfigureAwait(false);
                if (!string.Equals(head.ETag, etag, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            var request = new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + key, IfMatch = options.IfMatchETag };
            await _client.DeleteObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return false;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "delete", key, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            // Already gone: not an error.
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "delete", key, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var deleted = new List<string>(keys.Count);
        var (valid, failed) = StorageKeyPartition.Split(keys);

        var requests = 0;
        foreach (var chunk in valid.Chunk(MaxKeysPerDeleteRequest))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var request = new DeleteObjectsRequest { BucketName = _bucket, Quiet = true };
            foreach (var key in chunk)
            {
                request.AddKey(_prefix + key);
            }

            requests++;
            IReadOnlyCollection<DeleteError> errors;
            try
            {
                var response = await _client.DeleteObjectsAsync(request, cancellationToken).ConfigureAwait(false);
                errors = response.DeleteErrors ?? [];
            }
            catch (DeleteObjectsException ex)
            {
                // The SDK throws when some keys failed; the response still says which.
                errors = ex.Response?.DeleteErrors ?? [];
            }
            catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
            {
                var reason = Map(ex, "batch delete", chunk[0], cancellationToken).Message;
                foreach (var key in chunk)
                {
                    failed[key] = reason;
                }

                continue;
            }

            var errorsByKey = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var error in errors)
            {
                if (error.Code == "NoSuchKey")
                {
                    continue; // missing counts as deleted
                }

                var key = error.Key.StartsWith(_prefix, StringComparison.Ordinal) ? error.Key[_prefix.Length..] : error.Key;
                errorsByKey[key] = $"{error.Code}: {error.Message}";
            }

            foreach (var key in chunk)
            {
                if (errorsByKey.TryGetValue(key, out var reason))
                {
                    failed[key] = reason;
                }
                else
                {
                    deleted.Add(key);
                }
            }
        }

        return new StorageDeleteResult(deleted, failed, requests);
    }

    /// <inheritdoc />
    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Synchronously.Run(() => DeleteManyAsync(keys));
    }

    /// <summary>
    /// Creates a pre-signed URL (SigV4, signed locally: no request is made). A PUT URL with
    /// <see cref="SignedUrlOptions.ContentType"/> requires the uploader to send exactly that <c>Content-Type</c>. A GET URL carries
    /// <c>response-content-disposition</c> (<see cref="FileServing.ContentDisposition"/>: the file name, <c>inline</c> only for the
    /// allowlisted types) and, when the type is given, <c>response-content-type</c>, so the store answers with those headers.
    /// </summary>
    /// <param name="key">The object key.</param>
    /// <param name="options">GET or PUT, expiry (at most 7 days), content type for PUT.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The URL.</returns>
    public async Task<Uri> GetSignedUrlAsync(string key, SignedUrlOptions options, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            Verb = options.Method == SignedUrlMethod.Put ? HttpVerb.PUT : HttpVerb.GET,
            Expires = SignedUrlExpiry(options.ExpiresIn),
            Protocol = IsHttpEndpoint() ? Protocol.HTTP : Protocol.HTTPS,
        };
        if (options.Method == SignedUrlMethod.Put && options.ContentType is not null)
        {
            request.ContentType = options.ContentType;
        }
        else if (options.Method == SignedUrlMethod.Get)
        {
            // response-content-disposition/-type: S3 answers with these headers (they are signed), inline only for FileServing's allowlist.
            request.ResponseHeaderOverrides.ContentDisposition = FileServing.ContentDisposition(
                options.FileName ?? key[(key.LastIndexOf('/') + 1)..], options.ContentType, options.Inline);
            if (options.ContentType is { } type)
            {
                request.ResponseHeaderOverrides.ContentType = FileServing.ResponseContentType(type);
            }
        }

        try
        {
            return new Uri(await _client.GetPreSignedURLAsync(request).ConfigureAwait(false));
        }
        catch (AmazonClientException ex)
        {
            throw new StorageCapabilityException($"{this} could not sign a URL for '{key}': {ex.Message}. Give the S3 client credentials "
                + $"that can sign (not anonymous ones).", ex);
        }
    }

    /// <summary>Disposes the S3 client when this backend created it (from configuration); a client passed in stays open.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => _prefix.Length == 0 ? $"S3 bucket '{_bucket}'" : $"S3 bucket '{_bucket}' (prefix '{_prefix}')";

    private async Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return false;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "HEAD", key, cancellationToken);
        }
    }

    /// <summary>Runs one request under <see cref="S3StorageOptions.RequestTimeout"/>; running out of it is a transient failure.</summary>
    private async Task<T> TimedAsync<T>(Func<CancellationToken, Task<T>> request, string operation, string key, CancellationToken cancellationToken)
    {
        using var deadline = new RequestDeadline(_options.RequestTimeout, cancellationToken);
        try
        {
            return await request(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.Expired(cancellationToken))
        {
            throw _errors.MapFailure(ex, operation, key, cancellationToken);
        }
    }

    /// <summary>Deletes an object that failed verification; never throws (false: it could not be deleted).</summary>
    private async Task<bool> RemoveCorruptAsync(string objectKey)
    {
        try
        {
            using var deadline = new RequestDeadline(_options.RequestTimeout, CancellationToken.None);
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = objectKey }, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsServiceFailure(ex, CancellationToken.None))
        {
            return false;
        }
    }

    private bool IsHttpEndpoint()
        => _client.Config.ServiceURL is { } url && url.StartsWith("http:", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The expiry time of a signed URL: <paramref name="expiresIn"/> from the options' clock, but never more than
    /// <see cref="SignedUrlOptions.MaxExpiry"/> from the SDK's own skew-corrected clock. SigV4 URLs last at most 7 days, and
    /// past that (by the SDK's reckoning) the SDK silently signs with the legacy SigV2 instead.
    /// </summary>
    private DateTime SignedUrlExpiry(TimeSpan expiresIn)
    {
        var expires = _options.TimeProvider.GetUtcNow().UtcDateTime + expiresIn;
        var latest = Amazon.Util.AWSSDKUtils.CorrectedUtcNow + SignedUrlOptions.MaxExpiry - TimeSpan.FromSeconds(1);
        return expires < latest ? expires : latest;
    }

    private bool IsServiceFailure(Exception ex, CancellationToken cancellationToken) => _errors.IsServiceFailure(ex, cancellationToken);

    private Exception Map(Exception ex, string operation, string key, CancellationToken cancellationToken) => _errors.Map(ex, operation, key,
        cancellationToken);
}
