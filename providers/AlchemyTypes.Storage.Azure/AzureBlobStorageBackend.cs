using AlchemyTypes.Shared.Storage;
using AlchemyTypes.Shared.Integrity;
using AlchemyTypes.Shared.IO;
using AlchemyTypes.Shared.Threading;
using AlchemyTypes.Shared.Transfers;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

namespace AlchemyTypes.Storage.Azure;

/// <summary>
/// Stores objects as block blobs in an Azure Blob Storage container (or Azurite). Works with any credential the
/// client was built with: connection string or shared key, SAS, or a token credential. Uploads stream: content up to
/// <see cref="AzureBlobStorageOptions.InitialTransferSize"/> goes in one Put Blob, larger content as staged blocks read
/// into a few reused buffers and committed at the end, so memory does not grow with the blob; a failed or cancelled
/// upload discards its uncommitted blocks. Batch deletes use Blob Batch (256 a request), falling back to parallel single
/// deletes where the service refuses batches. Every upload is verified before it returns: blocks and buffered Put Blobs carry a
/// transactional Content-MD5 the service checks, and the Content-MD5 the service answers is compared with the MD5 of what was
/// sent, hashed on the way; a mismatch removes the blob and throws <see cref="StorageIntegrityException"/> (docs/integrity.md).
/// </summary>
/// <remarks>
/// The synchronous members run the asynchronous ones on the thread pool and wait, like every AlchemyTypes cloud backend:
/// they exist for EF Core's synchronous <c>SaveChanges</c>; prefer the asynchronous ones.
/// </remarks>
public sealed partial class AzureBlobStorageBackend : ISignedUrlStorageBackend, IDisposable
{
    private const int MaxBlocks = 50_000;
    private const long SdkSingleUploadLimit = 256L * 1024 * 1024;
    private static readonly StorageUploadOptions DefaultUploadOptions = new();

    private readonly BlobContainerClient _container;
    private readonly AzureBlobStorageOptions _options;
    private readonly string _prefix;
    private readonly BlobBatchDeleter? _batch;
    private readonly AzureErrorMapper _errors;
    private readonly ChunkedUploader _uploader;
    private volatile bool _batchRefused;

    /// <summary>Creates a backend over a container client (from a connection string, a container URI with SAS, or a token credential).</summary>
    /// <param name="container">The container; it must exist.</param>
    /// <param name="options">Prefix and transfer settings, or null for the defaults; copied, so later changes do not apply.</param>
    /// <exception cref="AlchemyTypesConfigurationException">The options are not valid.</exception>
    public AzureBlobStorageBackend(BlobContainerClient container, AzureBlobStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        options ??= new AzureBlobStorageOptions();
        options.Validate();
        _container = container;
        _options = options.Clone();
        _prefix = options.KeyPrefix ?? "";
        _batch = options.UseBatchDelete ? new BlobBatchDeleter(container) : null;
        _errors = new AzureErrorMapper(container.Name, ToString());
        var o = _options;
        _uploader = new(new(o.TransferSize, o.MaxConcurrency, o.EffectiveInitialTransferSize, MaxBlocks,
            "AzureBlobStorageOptions.TransferSize", o.CleanupTimeout, o.TimeProvider, o.RequestTimeout), _errors);
    }

    /// <summary>Creates a backend over the container <paramref name="containerName"/> of a service client.</summary>
    /// <param name="service">The service client.</param>
    /// <param name="containerName">The container; it must exist.</param>
    /// <param name="options">Prefix and transfer settings, or null for the defaults.</param>
    /// <exception cref="AlchemyTypesConfigurationException">The options are not valid.</exception>
    public AzureBlobStorageBackend(BlobServiceClient service, string containerName, AzureBlobStorageOptions? options = null)
        : this(ContainerOf(service, containerName), options)
    {
    }

    /// <summary>The container client.</summary>
    public BlobContainerClient Container => _container;

    /// <summary>The prefix put before every key, or "" for none.</summary>
    public string KeyPrefix => _prefix;

    /// <summary>Whether SAS URLs can be made: only when the client holds a shared key (connection string with AccountKey, or
    /// <c>StorageSharedKeyCredential</c>).</summary>
    public bool CanSignUrls => _container.CanGenerateSasUri;

    /// <inheritdoc />
    public Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        return UploadCoreAsync(key, content, options ?? DefaultUploadOptions, cancellationToken);
    }

    /// <inheritdoc />
    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        return Synchronously.Run(() => UploadCoreAsync(key, content, options ?? DefaultUploadOptions, CancellationToken.None));
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        return OpenReadCoreAsync(key, range, cancellationToken);
    }

    /// <inheritdoc />
    public Stream OpenRead(string key, StorageRange? range = null)
    {
        StorageKey.Validate(key);
        return Synchronously.Run(() => OpenReadCoreAsync(key, range, CancellationToken.None));
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        try
        {
            return (await Blob(key).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "exists check", key, cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        return GetInfoCoreAsync(key, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        try
        {
            await Blob(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "delete", key, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        StorageKey.Validate(key);
        var conditions = options.IfMatchETag is { } etag ? new BlobRequestConditions { IfMatch = new ETag(etag) } : null;
        try
        {
            // If-Match makes the service delete only the version recorded; a later blob under the key answers 412.
            return (await Blob(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "delete", key, cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return DeleteManyCoreAsync(keys, cancellationToken);
    }

    /// <inheritdoc />
    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Synchronously.Run(() => DeleteManyCoreAsync(keys, CancellationToken.None));
    }

    /// <summary>
    /// Creates a SAS URL for the blob, signed locally with the client's shared key (no request is made): GET grants read,
    /// PUT grants create and write (send <c>x-ms-blob-type: BlockBlob</c> with the upload). SAS cannot enforce
    /// <see cref="SignedUrlOptions.ContentType"/>; the uploader's <c>Content-Type</c> is stored. A GET SAS carries <c>rscd</c>
    /// (<see cref="FileServing.ContentDisposition"/>: the file name, <c>inline</c> only for the allowlisted types) and, when the type
    /// is given, <c>rsct</c>, so the service answers with those headers.
    /// </summary>
    /// <param name="key">The object key.</param>
    /// <param name="options">GET or PUT, and the expiry (at most 7 days).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The URL.</returns>
    /// <exception cref="StorageCapabilityException">The client has no shared key (SAS or token credential).</exception>
    public Task<Uri> GetSignedUrlAsync(string key, SignedUrlOptions options, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var blob = Blob(key);
        if (!blob.CanGenerateSasUri)
        {
            throw new StorageCapabilityException(
                $"{this} cannot sign URLs: its client was built from a SAS or a token credential, not a shared key. "
                + "Build the BlobContainerClient from a connection string with AccountKey or a StorageSharedKeyCredential, or hand out URLs another way.");
        }

        var permissions = options.Method == SignedUrlMethod.Put ? BlobSasPermissions.Create | BlobSasPermissions.Write : BlobSasPermissions.Read;
        var now = _options.TimeProvider.GetUtcNow();
        var builder = new BlobSasBuilder(permissions, now + options.ExpiresIn)
        {
            BlobContainerName = _container.Name,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now.AddMinutes(-5), // tolerate clock skew between this machine and the service
        };
        if (options.Method == SignedUrlMethod.Get)
        {
            // rscd/rsct: the service answers with these headers (signed into the SAS), inline only for FileServing's allowlist.
            builder.ContentDisposition = FileServing.ContentDisposition(options.FileName ?? key[(key.LastIndexOf('/') + 1)..], options.ContentType,
                options.Inline);
            if (options.ContentType is { } type)
            {
                builder.ContentType = FileServing.ResponseContentType(type);
            }
        }

        return Task.FromResult(blob.GenerateSasUri(builder));
    }

    /// <summary>
    /// The headers an upload through a signed PUT URL must carry: <c>x-ms-blob-type: BlockBlob</c> (the Blob service refuses a PUT
    /// without it) and <c>Content-Type</c> when <see cref="SignedUrlOptions.ContentType"/> is set (stored with the blob).
    /// </summary>
    /// <param name="options">The options the URL was signed with.</param>
    /// <returns>Header names and values.</returns>
    public IReadOnlyDictionary<string, string> GetSignedUploadHeaders(SignedUrlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-ms-blob-type"] = "BlockBlob" };
        if (options.ContentType is { } type)
        {
            headers["Content-Type"] = type;
        }

        return headers;
    }

    /// <summary>Releases the batch machinery. The container client is the caller's and stays usable.</summary>
    public void Dispose() => _batch?.Dispose();

    /// <inheritdoc />
    public override string ToString()
        => _prefix.Length == 0 ? $"Azure Blob container '{_container.Name}'" : $"Azure Blob container '{_container.Name}' (prefix '{_prefix}')";

    private static BlobContainerClient ContainerOf(BlobServiceClient service, string containerName)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        return service.GetBlobContainerClient(containerName);
    }

    private BlockBlobClient Blob(string key) => _container.GetBlockBlobClient(_prefix + key);

    private bool IsServiceFailure(Exception ex, CancellationToken cancellationToken) => _errors.IsServiceFailure(ex, cancellationToken);

    private Exception Map(Exception ex, string operation, string key, CancellationToken cancellationToken) => _errors.Map(ex, operation, key,
        cancellationToken);

    private async Task<StoredObjectInfo> UploadCoreAsync(string key, Stream content, StorageUploadOptions options, CancellationToken cancellationToken)
    {
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }

        var blob = Blob(key);
        if (!options.Overwrite)
        {
            bool exists;
            using var deadline = new RequestDeadline(_options.RequestTimeout, cancellationToken);
            try
            {
                exists = (await blob.ExistsAsync(deadline.Token).ConfigureAwait(false)).Value;
            }
            catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
            {
                throw Map(ex, "exists check", key, cancellationToken);
            }

            if (exists)
            {
                throw StorageObjectExistsException.ForKey(key, ToString());
            }
        }

        var target = new AzureBlockUploadTarget(blob, _options, options);
        var (stored, sent) = await _uploader.UploadAsync(target, key, content, cancellationToken).ConfigureAwait(false);
        if (sent.PartMd5s is null)
        {
            await VerifySingleAsync(blob, key, stored, sent).ConfigureAwait(false);
        }

        var size = sent.Size;

        // What was sent and what the service answered: no extra properties request.
        return new StoredObjectInfo
        {
            Key = key,
            Size = size,
            ContentType = target.Headers.ContentType,
            ETag = stored.ETag.ToString("H"),
            LastModified = stored.LastModified,
            VersionId = stored.VersionId,
            Metadata = new Dictionary<string, string>(target.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <summary>
    /// A blob written in one Put Blob: the Content-MD5 the service computed must be the MD5 of what was sent. When either is
    /// unknown (the service sent none, or the SDK read the caller's stream out of order), one properties request compares the size.
    /// A blob that fails is deleted (guarded by its ETag) and <see cref="StorageIntegrityException"/> thrown. Staged blocks need
    /// nothing here: each was checked as it was staged.
    /// </summary>
    private async Task VerifySingleAsync(BlockBlobClient blob, string key, BlobContentInfo stored, UploadDigest sent)
    {
        ChecksumMismatchException? mismatch = null;
        long? storedSize = null;
        // Past the SDK's own single-request limit (256 MiB) the SDK stages blocks itself, and the hash answered is the block list's.
        if (stored.ContentHash is { Length: > 0 } hash && sent.ContentMd5 is { } md5 && sent.Size <= SdkSingleUploadLimit)
        {
            if (!hash.AsSpan().SequenceEqual(md5))
            {
                mismatch = new ChecksumMismatchException("The Content-MD5 Azure computed", Convert.ToBase64String(md5), Convert.ToBase64String(hash));
            }
        }
        else
        {
            try
            {
                var conditions = new BlobRequestConditions { IfMatch = stored.ETag };
                using var deadline = new RequestDeadline(_options.RequestTimeout, CancellationToken.None);
                storedSize = (await blob.GetPropertiesAsync(conditions, deadline.Token).ConfigureAwait(false)).Value.ContentLength;
            }
            catch (Exception ex) when (IsServiceFailure(ex, CancellationToken.None))
            {
                // Unverifiable for now, like a write whose answer was lost: the upload stands.
            }
        }

        if (mismatch is null && (storedSize is null || storedSize == sent.Size))
        {
            return;
        }

        var removed = true;
        try
        {
            using var deadline = new RequestDeadline(_options.RequestTimeout, CancellationToken.None);
            await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = stored.ETag }, deadline.Token)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (IsServiceFailure(ex, CancellationToken.None))
        {
            removed = false;
        }

        throw IntegrityFailure.Create(key, ToString(), sent.Size, storedSize, mismatch, removed, _errors.IntegrityHint);
    }

    private async Task<Stream> OpenReadCoreAsync(string key, StorageRange? range, CancellationToken cancellationToken)
    {
        var blob = Blob(key);
        var options = new BlobDownloadOptions();
        if (range is { } r)
        {
            options.Range = new HttpRange(r.Offset, r.Length);
        }

        try
        {
            var response = await blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            var content = response.Value.Content;
            if (range is not { } requested)
            {
                return content;
            }

            // Azurite answers a range that starts at the end with content instead of 416: check against the blob size.
            var contentRange = response.Value.Details.ContentRange;
            var size = contentRange is not null && contentRange.LastIndexOf('/') is var slash and > 0
                && long.TryParse(contentRange.AsSpan(slash + 1), out var total)
                ? total
                : response.Value.Details.ContentLength;
            if (requested.Offset >= size && size > 0)
            {
                await content.DisposeAsync().ConfigureAwait(false);
                throw new StorageRangeException($"The range starts at byte {requested.Offset} but '{key}' in {this} has {size} bytes.");
            }

            if (contentRange is not null)
            {
                return requested.Length is { } length ? new BoundedReadStream(content, length) : content;
            }

            // The whole blob came back: apply the range here.
            return new BoundedReadStream(content, Math.Min(requested.Length ?? long.MaxValue, size - requested.Offset), skip: requested.Offset);
        }
        catch (RequestFailedException ex) when (ex.Status == 416 && range is { Offset: 0 })
        {
            // The service answers 416 to any range of an empty blob; the contract reads it as empty.
            var info = await GetInfoCoreAsync(key, cancellationToken).ConfigureAwait(false);
            return info.Size == 0 ? new MemoryStream([], writable: false) : throw Map(ex, "read", key, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "read", key, cancellationToken);
        }
    }

    private async Task<StoredObjectInfo> GetInfoCoreAsync(string key, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            var blob = Blob(key);
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "properties", key, cancellationToken);
        }

        return new StoredObjectInfo
        {
            Key = key,
            Size = properties.ContentLength,
            ContentType = string.IsNullOrEmpty(properties.ContentType) ? "application/octet-stream" : properties.ContentType,
            ETag = properties.ETag.ToString("H"),
            LastModified = properties.LastModified,
            VersionId = properties.VersionId,
            Metadata = new Dictionary<string, string>(properties.Metadata, StringComparer.OrdinalIgnoreCase),
        };
    }

    private async Task<StorageDeleteResult> DeleteManyCoreAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var deleted = new List<string>(keys.Count);
        var (valid, failed) = StorageKeyPartition.Split(keys);

        var requests = 0;
        foreach (var chunk in valid.Chunk(AzureBlobStorageOptions.MaxBatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Dictionary<string, string?>? outcome = null;
            if (_batch is not null && !_batchRefused && chunk.Length > 1)
            {
                requests++;
                try
                {
                    outcome = await _batch.DeleteAsync(chunk, [.. chunk.Select(k => _prefix + k)], cancellationToken).ConfigureAwait(false);
                }
                catch (BlobBatchDeleter.BatchRefusedException refused) when (refused.Status is >= 400 and < 500 and not 403 and not 429
                    || refused.Status == 501)
                {
                    _batchRefused = true; // the service does not take batches: stop asking
                }
                catch (Exception ex) when (IsServiceFailure(ex, cancellationToken) || ex is BlobBatchDeleter.BatchRefusedException)
                {
                    // A failed batch is retried key by key below, which reports each key's own failure.
                }
            }

            if (outcome is null)
            {
                requests += chunk.Length;
                outcome = await DeleteOneByOneAsync(chunk, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (key, reason) in outcome)
            {
                if (reason is null)
                {
                    deleted.Add(key);
                }
                else
                {
                    failed[key] = reason;
                }
            }
        }

        return new StorageDeleteResult(deleted, failed, requests);
    }

    private async Task<Dictionary<string, string?>> DeleteOneByOneAsync(string[] keys, CancellationToken cancellationToken)
    {
        var outcome = new Dictionary<string, string?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            keys,
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelDeletes, CancellationToken = cancellationToken },
            async (key, token) =>
            {
                string? reason = null;
                try
                {
                    await Blob(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: token).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsServiceFailure(ex, token))
                {
                    reason = Map(ex, "delete", key, token).Message;
                }

                lock (outcome)
                {
                    outcome[key] = reason;
                }
            }).ConfigureAwait(false);
        return outcome;
    }
}
