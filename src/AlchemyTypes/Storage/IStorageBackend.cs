namespace AlchemyTypes.Storage;

/// <summary>
/// A place where file content lives (the storage behind <c>FileObject</c>): local disk, memory, Amazon S3 or any S3-compatible store, Azure
/// Blob Storage. Keys are validated the same way by every backend (see <see cref="StorageKey"/>), so a key that works on one
/// works on all. Content goes in and out as <see cref="Stream"/>s and is never buffered whole by the contract.
/// </summary>
/// <remarks>
/// Optional capabilities are separate interfaces, discoverable with a type test: <see cref="ISignedUrlStorageBackend"/>.
/// Synchronous members exist for EF Core's synchronous <c>SaveChanges</c>; prefer the asynchronous ones.
/// </remarks>
public interface IStorageBackend
{
    /// <summary>Uploads <paramref name="content"/> under <paramref name="key"/>, reading it to its end.</summary>
    /// <param name="key">The object key, validated by <see cref="StorageKey.Validate"/>.</param>
    /// <param name="content">The content; read once, from its current position, and not disposed.</param>
    /// <param name="options">Content type, metadata and whether an existing object may be replaced.</param>
    /// <param name="cancellationToken">Cancels the upload; a cancelled upload leaves no object (and no partial upload) behind.</param>
    /// <returns>What the backend stored.</returns>
    /// <exception cref="StorageObjectExistsException">The key exists and <see cref="StorageUploadOptions.Overwrite"/> is false.</exception>
    /// <exception cref="StorageException">The backend failed.</exception>
    Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="UploadAsync" />
    StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null);

    /// <summary>Opens the object for reading, whole or a byte range. Dispose the stream.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="range">A byte range, or null for the whole object.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A stream positioned at the start of the range.</returns>
    /// <exception cref="StorageObjectNotFoundException">No object has that key.</exception>
    Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="OpenReadAsync" />
    Stream OpenRead(string key, StorageRange? range = null);

    /// <summary>Whether an object has the key.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when it exists.</returns>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The size, content type, ETag, last-modified time and metadata of an object.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The object's properties.</returns>
    /// <exception cref="StorageObjectNotFoundException">No object has that key.</exception>
    Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object. A missing object is not an error.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the object is gone.</returns>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes an object if it is still the version described by <paramref name="options"/>: with
    /// <see cref="StorageDeleteOptions.IfMatchETag"/>, an object stored later under the same key (another ETag) is left in
    /// place. A missing object is not an error.
    /// </summary>
    /// <remarks>
    /// The default implementation compares the ETag from <see cref="GetInfoAsync"/> and then deletes: another writer can
    /// replace the object between the two requests. Backends override it with an atomic conditional delete where the store
    /// has one (the in-memory and local backends, Azure's <c>If-Match</c>, S3's <c>If-Match</c>).
    /// </remarks>
    /// <param name="key">The object key.</param>
    /// <param name="options">The condition; an empty options object deletes unconditionally.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when this call deleted the object; false when there was none, or another version that was kept.</returns>
    async Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        StorageKey.Validate(key);
        StoredObjectInfo info;
        try
        {
            info = await GetInfoAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageObjectNotFoundException)
        {
            return false;
        }

        if (options.IfMatchETag is { } etag && !string.Equals(etag, info.ETag, StringComparison.Ordinal))
        {
            return false;
        }

        await DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Deletes many objects, in as few requests as the backend allows (S3: 1,000 keys a request; Azure: 256 a batch).
    /// Missing objects count as deleted. Failures are reported per key, never thrown away.
    /// </summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the remaining requests.</param>
    /// <returns>Which keys were deleted and which failed, with why.</returns>
    Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="DeleteManyAsync" />
    StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys);

    /// <summary>Whether <see cref="ListAsync"/> is supported. Backends written before listing existed answer false.</summary>
    bool CanList => false;

    /// <summary>
    /// Lists the objects whose key starts with <see cref="StorageListOptions.Prefix"/>, in ascending <see cref="StorageKey.Order"/>
    /// (the order of the keys' UTF-8 bytes, which is S3's and Azure's), a page of requests at a time: the sequence streams,
    /// so listing a million objects never holds them all. Each item has the key, size, last-modified time and (where the
    /// backend lists it) the ETag; content type and metadata are not listed (use <see cref="GetInfoAsync"/>).
    /// </summary>
    /// <param name="options">Prefix, resume point and page size; everything from the first key when null.</param>
    /// <param name="cancellationToken">Cancels between (and during) requests.</param>
    /// <returns>The objects, in key order.</returns>
    /// <exception cref="StorageCapabilityException">The backend cannot list (<see cref="CanList"/> is false).</exception>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(StorageListOptions? options = null, CancellationToken cancellationToken = default)
        => throw new StorageCapabilityException(
            $"The storage backend {this} cannot list its objects, so reconciliation and moves cannot run on it. "
            + "Implement IStorageBackend.CanList and ListAsync in the backend, or leave it out of maintenance.");
}
