using System.Buffers;
using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace AlchemyTypes.Storage.S3;

/// <summary>
/// Stores objects in an Amazon S3 bucket, or in any S3-compatible store (MinIO, s3rver…) through a path-style client.
/// Uploads stream: content up to <see cref="S3StorageOptions.MultipartThreshold"/> goes in one PUT, larger content as a
/// multipart upload whose parts are read into a few reused buffers, so memory does not grow with the object; a failed
/// or cancelled multipart upload is aborted. Batch deletes use <c>DeleteObjects</c> (1,000 keys a request).
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
    private static readonly StorageUploadOptions DefaultUploadOptions = new();

    private readonly IAmazonS3 _client;
    private readonly S3StorageOptions _options;
    private readonly bool _ownsClient;
    private readonly string _bucket;
    private readonly string _prefix;

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
    }

    /// <summary>The bucket.</summary>
    public string BucketName => _bucket;

    /// <summary>The prefix put before every key, or "" for none.</summary>
    public string KeyPrefix => _prefix;

    /// <summary>Whether this backend can sign URLs: true, S3 clients always sign with their credentials.</summary>
    public bool CanSignUrls => true;

    /// <inheritdoc />
    public async Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }

        options ??= DefaultUploadOptions;
        var objectKey = _prefix + key;
        if (!options.Overwrite && await ExistsCoreAsync(key, cancellationToken).ConfigureAwait(false))
        {
            throw StorageObjectExistsException.ForKey(key, ToString());
        }

        var buffer = ArrayPool<byte>.Shared.Rent(_options.PartSize);
        var bufferOwned = true;
        (long Size, string? ETag, string? VersionId) stored;
        try
        {
            var length = await FillAsync(content, buffer, _options.PartSize, cancellationToken).ConfigureAwait(false);
            if (length < _options.PartSize && length <= _options.EffectiveMultipartThreshold)
            {
                stored = await PutSingleAsync(key, objectKey, buffer, length, options, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                bufferOwned = false; // the multipart upload returns it to the pool
                stored = await PutMultipartAsync(key, objectKey, content, buffer, length, options, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (bufferOwned)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        // S3 does not return the last-modified time of a write: one HEAD gets it (FileObject records it). Should that
        // HEAD fail, the object is stored all the same: report what was sent and what S3 answered, without the time.
        try
        {
            return await GetInfoAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // Fall through: the write succeeded, only its description is incomplete.
        }

        return new StoredObjectInfo
        {
            Key = key,
            Size = stored.Size,
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
        return RunSynchronously(() => UploadAsync(key, content, options));
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
        return new S3ResponseStream(response, range?.Length);
    }

    /// <inheritdoc />
    public Stream OpenRead(string key, StorageRange? range = null)
    {
        StorageKey.Validate(key);
        return RunSynchronously(() => OpenReadAsync(key, range));
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
            response = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
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
            LastModified = response.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified.ToUniversalTime(), DateTimeKind.Utc)) : null,
            VersionId = string.IsNullOrEmpty(response.VersionId) ? null : response.VersionId,
            Metadata = metadata,
        };
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
        var (valid, failed) = StorageKey.Partition(keys);

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
        return RunSynchronously(() => DeleteManyAsync(keys));
    }

    /// <summary>
    /// Creates a pre-signed URL (SigV4, signed locally: no request is made). A PUT URL with
    /// <see cref="SignedUrlOptions.ContentType"/> requires the uploader to send exactly that <c>Content-Type</c>.
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
            Expires = DateTime.UtcNow + options.ExpiresIn,
            Protocol = IsHttpEndpoint() ? Protocol.HTTP : Protocol.HTTPS,
        };
        if (options.Method == SignedUrlMethod.Put && options.ContentType is not null)
        {
            request.ContentType = options.ContentType;
        }

        try
        {
            return new Uri(await _client.GetPreSignedURLAsync(request).ConfigureAwait(false));
        }
        catch (AmazonClientException ex)
        {
            throw new StorageCapabilityException($"{this} could not sign a URL for '{key}': {ex.Message}. Give the S3 client credentials that can sign (not anonymous ones).", ex);
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

    // The AWS SDK for .NET has no synchronous API on .NET Core. Running on the thread pool avoids deadlocks under a
    // synchronization context; the calling thread blocks, as synchronous SaveChanges expects, and GetResult rethrows the
    // operation's own exception (not an AggregateException).
    private static T RunSynchronously<T>(Func<Task<T>> operation) => Task.Run(operation).GetAwaiter().GetResult();

    private static async Task<int> FillAsync(Stream content, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < count)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, count - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private static bool IsServiceFailure(Exception ex, CancellationToken cancellationToken)
        => ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
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

    private async Task<(long Size, string? ETag, string? VersionId)> PutSingleAsync(string key, string objectKey, byte[] buffer, int length, StorageUploadOptions options, CancellationToken cancellationToken)
    {
        // The body is the bounded part buffer: seekable, so the SDK can hash it without chunk encoding.
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = objectKey,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = options.ContentType ?? "application/octet-stream",
            UseChunkEncoding = _options.UseChunkEncoding,
        };
        if (!options.Overwrite && _options.UseConditionalWrites)
        {
            request.IfNoneMatch = "*";
        }

        AddMetadata(request.Metadata, options);
        try
        {
            var response = await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return (length, response.ETag, response.VersionId);
        }
        catch (AmazonS3Exception ex) when (IsPreconditionFailure(ex))
        {
            throw StorageObjectExistsException.ForKey(key, ToString());
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "upload", key, cancellationToken);
        }
    }

    private async Task<(long Size, string? ETag, string? VersionId)> PutMultipartAsync(string key, string objectKey, Stream content, byte[] firstBuffer, int firstLength, StorageUploadOptions options, CancellationToken cancellationToken)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = objectKey, ContentType = options.ContentType ?? "application/octet-stream" };
        AddMetadata(initiate.Metadata, options);
        string uploadId;
        try
        {
            uploadId = (await _client.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false)).UploadId;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            ArrayPool<byte>.Shared.Return(firstBuffer);
            throw Map(ex, "multipart upload start", key, cancellationToken);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(firstBuffer);
            throw;
        }

        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(_options.MaxConcurrency);
        var parts = new List<PartETag>();
        var inFlight = new List<Task>();
        byte[]? pending = firstBuffer;
        var sourceFailed = false;
        long total = 0;
        try
        {
            var length = firstLength;
            for (var partNumber = 1; ; partNumber++)
            {
                await slots.WaitAsync(failure.Token).ConfigureAwait(false);
                total += length;
                var buffer = pending!;
                pending = null;
                inFlight.Add(UploadPartAsync(objectKey, uploadId, partNumber, buffer, length, parts, slots, failure));
                if (length < _options.PartSize)
                {
                    break; // the source ended inside this part
                }

                pending = ArrayPool<byte>.Shared.Rent(_options.PartSize);
                try
                {
                    length = await FillAsync(content, pending, _options.PartSize, failure.Token).ConfigureAwait(false);
                }
                catch (Exception) when (!failure.IsCancellationRequested)
                {
                    sourceFailed = true; // the caller's stream failed, not the store
                    throw;
                }

                if (length == 0)
                {
                    break;
                }

                if (partNumber == 10_000)
                {
                    throw new StorageException($"The content of '{key}' is larger than 10,000 parts of {_options.PartSize} bytes, the S3 limit. Raise S3StorageOptions.PartSize.");
                }
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
            parts.Sort((a, b) => a.PartNumber!.Value.CompareTo(b.PartNumber!.Value));
            var complete = new CompleteMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = uploadId, PartETags = parts };
            if (!options.Overwrite && _options.UseConditionalWrites)
            {
                complete.IfNoneMatch = "*";
            }

            var completed = await _client.CompleteMultipartUploadAsync(complete, cancellationToken).ConfigureAwait(false);
            return (total, completed.ETag, completed.VersionId);
        }
        catch (Exception ex)
        {
            await failure.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is the one reported; the others follow from the cancellation.
            }

            var aborted = await AbortAsync(objectKey, uploadId).ConfigureAwait(false);
            var cause = inFlight.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException) ?? ex;
            if (cancellationToken.IsCancellationRequested && cause is OperationCanceledException)
            {
                throw;
            }

            var leftOver = aborted ? "" : $" The multipart upload {uploadId} could not be aborted within {_options.AbortTimeout.TotalSeconds:0} s: abort it, or let a lifecycle rule for incomplete multipart uploads remove it.";
            if (sourceFailed && ReferenceEquals(cause, ex) && aborted)
            {
                throw;
            }

            if (!sourceFailed && cause is AmazonS3Exception s3 && IsPreconditionFailure(s3))
            {
                throw StorageObjectExistsException.ForKey(key, ToString());
            }

            if (!sourceFailed && IsServiceFailure(cause, cancellationToken))
            {
                var mapped = MapFailure(cause, "multipart upload", key, cancellationToken);
                throw new StorageRequestFailedException(mapped.Message + leftOver, cause)
                {
                    StatusCode = mapped.StatusCode,
                    ErrorCode = mapped.ErrorCode,
                    IsTransient = mapped.IsTransient,
                    Key = key,
                };
            }

            if (!aborted)
            {
                throw new StorageException($"The upload of '{key}' to {this} failed: {cause.Message}.{leftOver}", cause);
            }

            if (ReferenceEquals(cause, ex))
            {
                throw;
            }

            throw new StorageException($"The upload of '{key}' to {this} failed: {cause.Message}", cause);
        }
        finally
        {
            if (pending is not null)
            {
                ArrayPool<byte>.Shared.Return(pending);
            }
        }
    }

    private async Task UploadPartAsync(string objectKey, string uploadId, int partNumber, byte[] buffer, int length, List<PartETag> parts, SemaphoreSlim slots, CancellationTokenSource failure)
    {
        try
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var response = await _client.UploadPartAsync(
                new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = objectKey,
                    UploadId = uploadId,
                    PartNumber = partNumber,
                    InputStream = body,
                    PartSize = length,
                    UseChunkEncoding = _options.UseChunkEncoding,
                },
                failure.Token).ConfigureAwait(false);
            lock (parts)
            {
                parts.Add(new PartETag(partNumber, response.ETag));
            }
        }
        catch
        {
            await failure.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            slots.Release();
        }
    }

    /// <summary>Aborts a multipart upload, retrying while the store is unreachable, up to <see cref="S3StorageOptions.AbortTimeout"/>.</summary>
    private async Task<bool> AbortAsync(string objectKey, string uploadId)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                // Not cancellable on purpose: the caller's token is usually what was cancelled, and the parts must go.
                await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return true; // NoSuchUpload: nothing left
            }
            catch (AmazonServiceException ex) when ((ex.StatusCode != 0 && (int)ex.StatusCode < 500) || ex.StatusCode == HttpStatusCode.NotImplemented)
            {
                // Refused for good (s3rver answers 405: it does not implement AbortMultipartUpload); retrying cannot help.
                return false;
            }
            catch (Exception ex) when (IsServiceFailure(ex, CancellationToken.None))
            {
                if (clock.Elapsed + delay > _options.AbortTimeout)
                {
                    return false;
                }

                await Task.Delay(delay, CancellationToken.None).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private static bool IsPreconditionFailure(AmazonS3Exception ex)
        => ex.StatusCode == HttpStatusCode.PreconditionFailed || (ex.StatusCode == HttpStatusCode.Conflict && ex.ErrorCode == "ConditionalRequestConflict");

    private static void AddMetadata(MetadataCollection target, StorageUploadOptions options)
    {
        if (options.Metadata is null)
        {
            return;
        }

        foreach (var (name, value) in options.Metadata)
        {
            target[name] = value;
        }
    }

    private bool IsHttpEndpoint()
        => _client.Config.ServiceURL is { } url && url.StartsWith("http:", StringComparison.OrdinalIgnoreCase);

    private Exception Map(Exception ex, string operation, string key, CancellationToken cancellationToken)
        => ex switch
        {
            AmazonS3Exception { StatusCode: HttpStatusCode.NotFound, ErrorCode: not "NoSuchBucket" and not "NoSuchUpload" } => StorageObjectNotFoundException.ForKey(key, ToString()),
            AmazonS3Exception { StatusCode: HttpStatusCode.RequestedRangeNotSatisfiable } s3 => new StorageRangeException($"The byte range asked of '{key}' in {this} starts at or after its end ({s3.Message}).", s3),
            _ => MapFailure(ex, operation, key, cancellationToken),
        };

    private StorageRequestFailedException MapFailure(Exception ex, string operation, string key, CancellationToken cancellationToken)
    {
        if (ex is AmazonServiceException service && service.StatusCode != 0)
        {
            var status = (int)service.StatusCode;
            var hint = status switch
            {
                403 => " Check the client's credentials and the bucket policy.",
                404 => $" Create the bucket '{_bucket}' or fix BucketName.",
                _ when status >= 500 || status == 429 => " The store is failing or throttling; retry later.",
                _ => "",
            };
            return new StorageRequestFailedException($"S3 {operation} of '{key}' in {this} failed: {status} {service.ErrorCode}: {service.Message}.{hint}", ex)
            {
                StatusCode = status,
                ErrorCode = service.ErrorCode,
                IsTransient = status >= 500 || status == 429,
                Key = key,
            };
        }

        var what = ex is OperationCanceledException && !cancellationToken.IsCancellationRequested ? "timed out" : "could not reach the store";
        return new StorageRequestFailedException($"S3 {operation} of '{key}' in {this} {what}: {ex.Message}. Check the client's ServiceURL or region and that the store is up.", ex)
        {
            IsTransient = true,
            Key = key,
        };
    }
}
