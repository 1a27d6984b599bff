using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using AlchemyTypes.Storage.Internal;

namespace AlchemyTypes.Storage.Azure;

/// <summary>
/// Stores objects as block blobs in an Azure Blob Storage container (or Azurite). Works with any credential the
/// client was built with: connection string or shared key, SAS, or a token credential. Uploads stream: content up to
/// <see cref="AzureBlobStorageOptions.InitialTransferSize"/> goes in one Put Blob, larger content as staged blocks read
/// into a few reused buffers and committed at the end, so memory does not grow with the blob; a failed or cancelled
/// upload discards its uncommitted blocks. Batch deletes use Blob Batch (256 a request), falling back to parallel single
/// deletes where the service refuses batches.
/// </summary>
public sealed partial class AzureBlobStorageBackend : ISignedUrlStorageBackend, IDisposable
{
    private static readonly StorageUploadOptions DefaultUploadOptions = new();

    private readonly BlobContainerClient _container;
    private readonly AzureBlobStorageOptions _options;
    private readonly string _prefix;
    private readonly BlobBatchDeleter? _batch;
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

    /// <summary>Whether SAS URLs can be made: only when the client holds a shared key (connection string with AccountKey, or <c>StorageSharedKeyCredential</c>).</summary>
    public bool CanSignUrls => _container.CanGenerateSasUri;

    /// <inheritdoc />
    public Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        return UploadCoreAsync(key, content, options ?? DefaultUploadOptions, async: true, cancellationToken);
    }

    /// <inheritdoc />
    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        return UploadCoreAsync(key, content, options ?? DefaultUploadOptions, async: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        return OpenReadCoreAsync(key, range, async: true, cancellationToken);
    }

    /// <inheritdoc />
    public Stream OpenRead(string key, StorageRange? range = null)
    {
        StorageKey.Validate(key);
        return OpenReadCoreAsync(key, range, async: false, CancellationToken.None).GetAwaiter().GetResult();
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
        return GetInfoCoreAsync(key, async: true, cancellationToken);
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
    public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return DeleteManyCoreAsync(keys, async: true, cancellationToken);
    }

    /// <inheritdoc />
    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return DeleteManyCoreAsync(keys, async: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Creates a SAS URL for the blob, signed locally with the client's shared key (no request is made): GET grants read,
    /// PUT grants create and write (send <c>x-ms-blob-type: BlockBlob</c> with the upload). SAS cannot enforce
    /// <see cref="SignedUrlOptions.ContentType"/>; the uploader's <c>Content-Type</c> is stored.
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
        var builder = new BlobSasBuilder(permissions, DateTimeOffset.UtcNow + options.ExpiresIn)
        {
            BlobContainerName = _container.Name,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = DateTimeOffset.UtcNow.AddMinutes(-5), // tolerate clock skew between this machine and the service
        };
        return Task.FromResult(blob.GenerateSasUri(builder));
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

    private static bool IsServiceFailure(Exception ex, CancellationToken cancellationToken)
        => ex is RequestFailedException or AggregateException or HttpRequestException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static async Task<int> FillAsync(Stream content, byte[] buffer, int count, bool async, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < count)
        {
            var read = async
                ? await content.ReadAsync(buffer.AsMemory(filled, count - filled), cancellationToken).ConfigureAwait(false)
                : content.Read(buffer, filled, count - filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private BlockBlobClient Blob(string key) => _container.GetBlockBlobClient(_prefix + key);

    private async Task<StoredObjectInfo> UploadCoreAsync(string key, Stream content, StorageUploadOptions options, bool async, CancellationToken cancellationToken)
    {
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }

        var blob = Blob(key);
        if (!options.Overwrite)
        {
            bool exists;
            try
            {
                exists = async ? (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value : blob.Exists(cancellationToken).Value;
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

        var headers = new BlobHttpHeaders { ContentType = options.ContentType ?? "application/octet-stream" };
        var metadata = options.Metadata is null ? null : new Dictionary<string, string>(options.Metadata, StringComparer.Ordinal);
        var conditions = options.Overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All };
        var buffer = ArrayPool<byte>.Shared.Rent(_options.TransferSize);
        var bufferOwned = true;
        BlobContentInfo stored;
        long size;
        try
        {
            var length = await FillAsync(content, buffer, _options.TransferSize, async, cancellationToken).ConfigureAwait(false);
            if (length < _options.TransferSize && length <= _options.EffectiveInitialTransferSize)
            {
                using var body = new MemoryStream(buffer, 0, length, writable: false);
                var uploadOptions = new BlobUploadOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions };
                try
                {
                    stored = async
                        ? await blob.UploadAsync(body, uploadOptions, cancellationToken).ConfigureAwait(false)
                        : blob.Upload(body, uploadOptions, cancellationToken);
                    size = length;
                }
                catch (RequestFailedException ex) when (IsExistsConflict(ex))
                {
                    throw StorageObjectExistsException.ForKey(key, ToString());
                }
                catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
                {
                    throw Map(ex, "upload", key, cancellationToken);
                }
            }
            else
            {
                bufferOwned = false; // the block upload returns it to the pool
                (stored, size) = await UploadBlocksAsync(key, blob, content, buffer, length, headers, metadata, conditions, async, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (bufferOwned)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        // What was sent and what the service answered: no extra properties request.
        return new StoredObjectInfo
        {
            Key = key,
            Size = size,
            ContentType = headers.ContentType,
            ETag = stored.ETag.ToString("H"),
            LastModified = stored.LastModified,
            VersionId = stored.VersionId,
            Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
        };
    }

    private async Task<(BlobContentInfo Stored, long Size)> UploadBlocksAsync(
        string key,
        BlockBlobClient blob,
        Stream content,
        byte[] firstBuffer,
        int firstLength,
        BlobHttpHeaders headers,
        Dictionary<string, string>? metadata,
        BlobRequestConditions? conditions,
        bool async,
        CancellationToken cancellationToken)
    {
        // Block ids must all have the same length: a per-upload nonce and the block number, base64-encoded.
        var nonce = Guid.NewGuid();
        var blockIds = new List<string>();
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The block requests already sent are not cancelled with the upload: a request cancelled on the client can still
        // be completed by the service afterwards, staging its block after the discard below. They are let finish (up to
        // CleanupTimeout) so that the discard sees every block this upload staged.
        using var abandon = new CancellationTokenSource();
        using var slots = new SemaphoreSlim(async ? _options.MaxConcurrency : 1);
        var inFlight = new List<Task>();
        byte[]? pending = firstBuffer;
        var sourceFailed = false;
        long total = 0;
        try
        {
            var length = firstLength;
            for (var number = 0; ; number++)
            {
                total += length;
                if (async)
                {
                    await slots.WaitAsync(failure.Token).ConfigureAwait(false);
                }
                else
                {
                    slots.Wait(failure.Token);
                }

                var blockId = BlockId(nonce, number);
                blockIds.Add(blockId);
                var buffer = pending!;
                pending = null;
                var staging = StageAsync(blob, blockId, buffer, length, slots, failure, abandon.Token, async);
                inFlight.Add(staging);
                if (!async)
                {
                    await staging.ConfigureAwait(false);
                }

                if (length < _options.TransferSize)
                {
                    break;
                }

                pending = ArrayPool<byte>.Shared.Rent(_options.TransferSize);
                try
                {
                    length = await FillAsync(content, pending, _options.TransferSize, async, failure.Token).ConfigureAwait(false);
                }
                catch (Exception) when (!failure.IsCancellationRequested)
                {
                    sourceFailed = true;
                    throw;
                }

                if (length == 0)
                {
                    break;
                }

                if (number + 1 == 50_000)
                {
                    throw new StorageException($"The content of '{key}' is larger than 50,000 blocks of {_options.TransferSize} bytes, the Azure limit. Raise AzureBlobStorageOptions.TransferSize.");
                }
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
            var commit = new CommitBlockListOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions };
            var committed = async
                ? await blob.CommitBlockListAsync(blockIds, commit, cancellationToken).ConfigureAwait(false)
                : blob.CommitBlockList(blockIds, commit, cancellationToken);
            return (committed.Value, total);
        }
        catch (Exception ex)
        {
            await failure.CancelAsync().ConfigureAwait(false);
            abandon.CancelAfter(_options.CleanupTimeout);
            try
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is the one reported.
            }

            var cleaned = await DiscardUncommittedBlocksAsync(blob, createdByUs: conditions is not null, async).ConfigureAwait(false);
            var cause = inFlight.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException) ?? ex;
            if (cancellationToken.IsCancellationRequested && cause is OperationCanceledException)
            {
                throw;
            }

            if (sourceFailed && ReferenceEquals(cause, ex) && cleaned)
            {
                throw; // the caller's stream failed, not the service
            }

            if (!sourceFailed && cause is RequestFailedException conflict && IsExistsConflict(conflict))
            {
                throw StorageObjectExistsException.ForKey(key, ToString());
            }

            var leftOver = cleaned ? "" : $" Its uncommitted blocks could not be discarded within {_options.CleanupTimeout.TotalSeconds:0} s; Azure discards them after 7 days.";
            if (!sourceFailed && IsServiceFailure(cause, cancellationToken))
            {
                var mapped = MapFailure(cause, "block upload", key, cancellationToken);
                throw new StorageRequestFailedException(mapped.Message + leftOver, cause)
                {
                    StatusCode = mapped.StatusCode,
                    ErrorCode = mapped.ErrorCode,
                    IsTransient = mapped.IsTransient,
                    Key = key,
                };
            }

            if (cleaned && ReferenceEquals(cause, ex))
            {
                throw;
            }

            throw new StorageException($"The upload of '{key}' to {this} failed: {cause.Message}.{leftOver}", cause);
        }
        finally
        {
            if (pending is not null)
            {
                ArrayPool<byte>.Shared.Return(pending);
            }
        }
    }

    private static string BlockId(Guid nonce, int number)
    {
        Span<byte> id = stackalloc byte[20];
        nonce.TryWriteBytes(id);
        BinaryPrimitives.WriteInt32BigEndian(id[16..], number);
        return Convert.ToBase64String(id);
    }

    private static async Task StageAsync(BlockBlobClient blob, string blockId, byte[] buffer, int length, SemaphoreSlim slots, CancellationTokenSource failure, CancellationToken abandon, bool async)
    {
        try
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            if (async)
            {
                await blob.StageBlockAsync(blockId, body, new BlockBlobStageBlockOptions(), abandon).ConfigureAwait(false);
            }
            else
            {
                blob.StageBlock(blockId, body, new BlockBlobStageBlockOptions(), abandon);
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

    /// <summary>
    /// Discards the blocks a failed upload staged. A blob this upload was creating: commit an empty block list (which
    /// drops every uncommitted block) and delete the empty blob, guarded by its ETag. A blob that existed before keeps its
    /// content; its uncommitted blocks go with its next commit, or after 7 days. Retries while the service is unreachable,
    /// up to <see cref="AzureBlobStorageOptions.CleanupTimeout"/>.
    /// </summary>
    private async Task<bool> DiscardUncommittedBlocksAsync(BlockBlobClient blob, bool createdByUs, bool async)
    {
        if (!createdByUs)
        {
            return true;
        }

        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                // Not cancellable on purpose: the caller's token is usually what was cancelled, and the blocks must go.
                var empty = new CommitBlockListOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
                var committed = async
                    ? await blob.CommitBlockListAsync([], empty, CancellationToken.None).ConfigureAwait(false)
                    : blob.CommitBlockList([], empty, CancellationToken.None);
                var guard = new BlobRequestConditions { IfMatch = committed.Value.ETag };
                if (async)
                {
                    await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, guard, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    blob.DeleteIfExists(DeleteSnapshotsOption.IncludeSnapshots, guard, CancellationToken.None);
                }

                return true;
            }
            catch (RequestFailedException ex) when (IsExistsConflict(ex))
            {
                return true; // someone else committed the blob meanwhile: its commit dropped our blocks
            }
            catch (RequestFailedException ex) when (ex.Status is > 0 and < 500)
            {
                return false; // refused for good; retrying cannot help
            }
            catch (Exception ex) when (IsServiceFailure(ex, CancellationToken.None))
            {
                if (clock.Elapsed + delay > _options.CleanupTimeout)
                {
                    return false;
                }

                if (async)
                {
                    await Task.Delay(delay, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    Thread.Sleep(delay);
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private async Task<Stream> OpenReadCoreAsync(string key, StorageRange? range, bool async, CancellationToken cancellationToken)
    {
        var blob = Blob(key);
        var options = new BlobDownloadOptions();
        if (range is { } r)
        {
            options.Range = new HttpRange(r.Offset, r.Length);
        }

        try
        {
            var response = async
                ? await blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)
                : blob.DownloadStreaming(options, cancellationToken);
            var content = response.Value.Content;
            if (range is not { } requested)
            {
                return content;
            }

            // Azurite answers a range that starts at the end with content instead of 416: check against the blob size.
            var contentRange = response.Value.Details.ContentRange;
            var size = contentRange is not null && contentRange.LastIndexOf('/') is var slash and > 0 && long.TryParse(contentRange.AsSpan(slash + 1), out var total)
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
            var info = await GetInfoCoreAsync(key, async, cancellationToken).ConfigureAwait(false);
            return info.Size == 0 ? new MemoryStream([], writable: false) : throw Map(ex, "read", key, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map(ex, "read", key, cancellationToken);
        }
    }

    private async Task<StoredObjectInfo> GetInfoCoreAsync(string key, bool async, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            var blob = Blob(key);
            properties = async
                ? (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value
                : blob.GetProperties(cancellationToken: cancellationToken).Value;
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

    private async Task<StorageDeleteResult> DeleteManyCoreAsync(IReadOnlyCollection<string> keys, bool async, CancellationToken cancellationToken)
    {
        var deleted = new List<string>(keys.Count);
        var (valid, failed) = StorageKey.Partition(keys);

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
                    outcome = await _batch.DeleteAsync(chunk, [.. chunk.Select(k => _prefix + k)], async, cancellationToken).ConfigureAwait(false);
                }
                catch (BlobBatchDeleter.BatchRefusedException refused) when (refused.Status is >= 400 and < 500 and not 403 and not 429 || refused.Status == 501)
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
                outcome = await DeleteOneByOneAsync(chunk, async, cancellationToken).ConfigureAwait(false);
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

    private async Task<Dictionary<string, string?>> DeleteOneByOneAsync(string[] keys, bool async, CancellationToken cancellationToken)
    {
        var outcome = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!async)
        {
            foreach (var key in keys)
            {
                outcome[key] = DeleteOne(key, cancellationToken);
            }

            return outcome;
        }

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

    private string? DeleteOne(string key, CancellationToken cancellationToken)
    {
        try
        {
            Blob(key).DeleteIfExists(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
            return null;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            return Map(ex, "delete", key, cancellationToken).Message;
        }
    }

    private static bool IsExistsConflict(RequestFailedException ex)
        => ex.Status == 412 || (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists.ToString());

    private Exception Map(Exception ex, string operation, string key, CancellationToken cancellationToken)
        => ex switch
        {
            RequestFailedException { Status: 404 } notFound when notFound.ErrorCode != BlobErrorCode.ContainerNotFound.ToString() => StorageObjectNotFoundException.ForKey(key, ToString()),
            RequestFailedException { Status: 416 } range => new StorageRangeException($"The byte range asked of '{key}' in {this} starts at or after its end ({range.ErrorCode}).", range),
            _ => MapFailure(ex, operation, key, cancellationToken),
        };

    private StorageRequestFailedException MapFailure(Exception ex, string operation, string key, CancellationToken cancellationToken)
    {
        var failure = ex is AggregateException aggregate ? aggregate.InnerExceptions.LastOrDefault() ?? ex : ex;
        if (failure is RequestFailedException { Status: > 0 } service)
        {
            var hint = service.Status switch
            {
                403 => " Check the credential (key, SAS permissions and expiry, or role assignment).",
                404 => $" Create the container '{_container.Name}' or fix its name.",
                _ when service.Status >= 500 || service.Status == 429 => " The service is failing or throttling; retry later.",
                _ => "",
            };
            return new StorageRequestFailedException($"Azure Blob {operation} of '{key}' in {this} failed: {service.Status} {service.ErrorCode}.{hint}", ex)
            {
                StatusCode = service.Status,
                ErrorCode = service.ErrorCode,
                IsTransient = service.Status >= 500 || service.Status == 429,
                Key = key,
            };
        }

        var what = failure is OperationCanceledException && !cancellationToken.IsCancellationRequested ? "timed out" : "could not reach the service";
        return new StorageRequestFailedException($"Azure Blob {operation} of '{key}' in {this} {what}: {failure.Message} Check the endpoint and that the service is up.", ex)
        {
            IsTransient = true,
            Key = key,
        };
    }
}
