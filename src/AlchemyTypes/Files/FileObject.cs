using System.Text;
using AlchemyTypes.Diagnostics.Internal;
using AlchemyTypes.Keys;
using AlchemyTypes.Storage;
using AlchemyTypes.Files.Internal;

namespace AlchemyTypes;

/// <summary>
/// A file owned by an entity row: its content lives in a storage backend, its description (file name, key, backend,
/// content type, size, SHA-256 checksum, ETag, last-modified time, metadata) in the row, as JSON.
/// </summary>
/// <remarks>
/// <para>
/// Create one from bytes, a stream or a file path and assign it to a <see cref="FileObject"/> property: the content is
/// uploaded while <c>SaveChanges</c> runs, before the database commits, so the row carries the real size, checksum and
/// ETag. A file replaced, set to null or whose row is deleted is deleted from storage after the transaction commits;
/// nothing is deleted when it rolls back, and files uploaded by a failed save are removed.
/// </para>
/// <para>Two FileObjects are equal when they have the same key and backend (as in Advanced Alchemy).</para>
/// </remarks>
public sealed class FileObject : IEquatable<FileObject>
{
    /// <summary>The largest content <see cref="GetBytesAsync"/> returns: 256 MiB. Stream larger files.</summary>
    public const long MaxBytesInMemory = 256L * 1024 * 1024;

    private static readonly Dictionary<string, string> NoMetadata = new(StringComparer.Ordinal);

    private PendingContent? _pending;
    private PendingContent? _uploadedFrom;
    private IStorageBackend? _storage;
    private string? _storageName;
    private string? _unresolvedBackend;
    private bool _contentTypeDeclared;
    private string? _contentTypeBeforeUpload;

    private FileObject(string fileName, string key, string? backend, string contentType, IReadOnlyDictionary<string, string> metadata)
    {
        FileName = fileName;
        Key = key;
        Backend = backend;
        ContentType = contentType;
        Metadata = metadata;
    }

    /// <summary>The file name shown to people (not a path; it may contain any printable character).</summary>
    public string FileName { get; }

    /// <summary>The object key in the storage backend.</summary>
    public string Key { get; }

    /// <summary>The name of the storage backend; null until saved when neither the value nor the property named one.</summary>
    public string? Backend { get; private set; }

    /// <summary>
    /// The MIME type. Before saving: the declared type (<see cref="FileObjectOptions.ContentType"/>) or the one guessed from the
    /// file name. Once saved: the type detected from the first bytes when they match a known signature (see SECURITY.md),
    /// else the declared or guessed type.
    /// </summary>
    public string ContentType { get; private set; }

    /// <summary>The size in bytes, once saved.</summary>
    public long? Size { get; private set; }

    /// <summary>The SHA-256 of the content as <c>sha256:</c> followed by lowercase hex, computed while uploading; null until saved.</summary>
    public string? Checksum { get; private set; }

    /// <summary>The backend's ETag, once saved.</summary>
    public string? ETag { get; private set; }

    /// <summary>When the object was written, once saved.</summary>
    public DateTimeOffset? LastModified { get; private set; }

    /// <summary>The backend's version id, where the backend versions objects.</summary>
    public string? VersionId { get; private set; }

    /// <summary>User metadata, stored with the object and in the row.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>True while the content waits to be uploaded by <c>SaveChanges</c>.</summary>
    public bool HasPendingContent => _pending is not null;

    /// <summary>True once the content is stored (the object was saved, or loaded from the database).</summary>
    public bool IsStored => _pending is null;

    /// <summary>Whether <see cref="GetSignedUrlAsync"/> can be used: the object is stored in a backend that can sign URLs.</summary>
    public bool CanSignUrls => IsStored && _storage is ISignedUrlStorageBackend { CanSignUrls: true };

    /// <summary>Creates a FileObject whose content is <paramref name="content"/>.</summary>
    /// <param name="content">The bytes; copied, so later changes to the array do not change the file.</param>
    /// <param name="fileName">The file name.</param>
    /// <param name="options">Content type, key, metadata, backend.</param>
    /// <returns>A FileObject to assign to a property and save.</returns>
    public static FileObject FromBytes(ReadOnlySpan<byte> content, string fileName, FileObjectOptions? options = null)
        => Create(fileName, PendingContent.FromBytes(content.ToArray()), options);

    /// <summary>
    /// Creates a FileObject whose content is read from <paramref name="content"/> when <c>SaveChanges</c> runs. The stream is
    /// read from its current position and not disposed: keep it open until the save. Nothing is buffered in memory.
    /// </summary>
    /// <param name="content">A readable stream.</param>
    /// <param name="fileName">The file name.</param>
    /// <param name="options">Content type, key, metadata, backend.</param>
    /// <returns>A FileObject to assign to a property and save.</returns>
    public static FileObject FromStream(Stream content, string fileName, FileObjectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream is not readable.", nameof(content));
        }

        return Create(fileName, PendingContent.FromStream(content), options);
    }

    /// <summary>Creates a FileObject whose content is the file at <paramref name="sourcePath"/>, read when <c>SaveChanges</c> runs.</summary>
    /// <param name="sourcePath">An existing file.</param>
    /// <param name="fileName">The file name; the source file's name when null.</param>
    /// <param name="options">Content type, key, metadata, backend.</param>
    /// <returns>A FileObject to assign to a property and save.</returns>
    /// <exception cref="FileNotFoundException">The source file does not exist.</exception>
    public static FileObject FromPath(string sourcePath, string? fileName = null, FileObjectOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourcePath);
        var full = Path.GetFullPath(sourcePath);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The source file '{full}' does not exist.", full);
        }

        return Create(fileName ?? Path.GetFileName(full), PendingContent.FromPath(full), options);
    }

    /// <summary>
    /// Creates a FileObject from exactly one source: a stream or a file path (the shape of Advanced Alchemy's constructor).
    /// </summary>
    /// <param name="fileName">The file name.</param>
    /// <param name="content">The content stream, or null.</param>
    /// <param name="sourcePath">The source file path, or null.</param>
    /// <param name="options">Content type, key, metadata, backend.</param>
    /// <returns>A FileObject to assign to a property and save.</returns>
    /// <exception cref="FileObjectContentException">Both or neither of <paramref name="content"/> and <paramref name="sourcePath"/> were given.</exception>
    public static FileObject Create(string fileName, Stream? content = null, string? sourcePath = null, FileObjectOptions? options = null)
        => (content, sourcePath) switch
        {
            (not null, not null) => throw new FileObjectContentException($"FileObject '{fileName}' was given both a content stream and a "
                + $"source path; give exactly one."),
            (null, null) => throw new FileObjectContentException($"FileObject '{fileName}' was given neither a content stream nor a source "
                + $"path; give exactly one."),
            (not null, null) => FromStream(content, fileName, options),
            _ => FromPath(sourcePath!, fileName, options),
        };

    /// <summary>Opens the stored content for reading. Dispose the stream.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The content.</returns>
    /// <exception cref="FileObjectStateException">The file is not stored yet.</exception>
    public Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default)
        => OpenReadCoreAsync(RequireStorage(), null, cancellationToken);

    /// <summary>Opens a byte range of the stored content for reading. Dispose the stream.</summary>
    /// <param name="range">The range.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The requested bytes.</returns>
    public Task<Stream> OpenReadAsync(StorageRange range, CancellationToken cancellationToken = default)
        => OpenReadCoreAsync(RequireStorage(), range, cancellationToken);

    /// <summary>Opens the stored content for reading, synchronously. Dispose the stream.</summary>
    /// <returns>The content.</returns>
    public Stream OpenRead()
    {
        var storage = RequireStorage();
        using var operation = StorageOperation.Start(StorageTelemetry.Download, _storageName ?? Backend ?? "", storage);
        try
        {
            var stream = storage.OpenRead(Key);
            RecordOpened(operation, stream, null);
            return stream;
        }
        catch (Exception ex) when (StorageOperation.Fail(operation, ex))
        {
            throw;
        }
    }

    /// <summary>Reads the whole stored content into memory (at most <see cref="MaxBytesInMemory"/>; stream larger files).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The content.</returns>
    /// <exception cref="FileObjectStateException">The file is not stored yet, or larger than <see cref="MaxBytesInMemory"/>.</exception>
    public async Task<byte[]> GetBytesAsync(CancellationToken cancellationToken = default)
    {
        var storage = RequireStorage();
        if (Size > MaxBytesInMemory)
        {
            throw new FileObjectStateException($"'{FileName}' has {Size} bytes, more than GetBytesAsync reads into memory "
                + $"({MaxBytesInMemory}); use OpenReadAsync and stream it.");
        }

        var stream = await OpenReadCoreAsync(storage, null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream(Size is { } size ? (int)size : 0);
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>A time-limited URL to download the content, when the backend can sign (see <see cref="CanSignUrls"/>).</summary>
    /// <param name="options">
    /// Expiry; GET for one hour when null. PUT is refused: see the exception. The URL carries <c>Content-Disposition</c> with the file's
    /// name, <c>inline</c> only for the types of <see cref="FileServing.CanDisplayInline"/> (docs/serving-files.md).
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The URL.</returns>
    /// <exception cref="StorageCapabilityException">The backend cannot sign URLs.</exception>
    /// <exception cref="FileObjectStateException">
    /// A PUT URL was asked for: an upload through it would replace the stored content behind the row's back (its size and
    /// checksum would describe other bytes). Upload new content with <c>context.CreateDirectUploadAsync</c>, which signs a fresh key.
    /// </exception>
    public Task<Uri> GetSignedUrlAsync(SignedUrlOptions? options = null, CancellationToken cancellationToken = default)
    {
        var storage = RequireStorage();
        if (storage is not ISignedUrlStorageBackend { CanSignUrls: true } signer)
        {
            throw new StorageCapabilityException($"The storage backend '{Backend}' ({storage}) cannot sign URLs. Check "
                + $"FileObject.CanSignUrls first, or stream the content with OpenReadAsync.");
        }

        options ??= new SignedUrlOptions();
        options.Validate();
        if (options.Method != SignedUrlMethod.Get)
        {
            throw new FileObjectStateException($"'{FileName}' is stored: a signed PUT URL for its key would let an upload replace "
                + "the content while the row keeps the old size and checksum. Signed PUT URLs are issued only for fresh keys: use "
                + "context.CreateDirectUploadAsync for the property, then context.AttachDirectUploadAsync with the returned token.");
        }

        // The backend decides inline or attachment from the row's type and names the download after the row's file.
        options = new SignedUrlOptions
        {
            Method = options.Method, ExpiresIn = options.ExpiresIn, MaxSize = options.MaxSize, Inline = options.Inline,
            ContentType = options.ContentType ?? ContentType, FileName = options.FileName ?? FileName,
        };
        return signer.GetSignedUrlAsync(Key, options, cancellationToken);
    }

    /// <inheritdoc />
    public bool Equals(FileObject? other)
        => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal) && string.Equals(Backend, other.Backend, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FileObject);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Backend);

    /// <inheritdoc />
    public override string ToString() => $"{FileName} ({Backend ?? "default"}:{Key})";

    /// <summary>Equality for change tracking: same key and backend, and the same stored version (ETag, size, checksum).</summary>
    internal static bool SameStoredVersion(FileObject? a, FileObject? b)
        => ReferenceEquals(a, b)
            || (a is not null && b is not null && a.Equals(b) && a.ETag == b.ETag && a.Size == b.Size && a.Checksum == b.Checksum
                && a.HasPendingContent == b.HasPendingContent);

    internal static FileObject Load(
        string fileName, string key, string? backend, string contentType, long? size, string? checksum, string? etag,
        DateTimeOffset? lastModified, string? versionId, IReadOnlyDictionary<string, string>? metadata)
        => new(fileName, key, backend, contentType, metadata ?? NoMetadata)
        {
            Size = size,
            Checksum = checksum,
            ETag = etag,
            LastModified = lastModified,
            VersionId = versionId,
        };

    /// <summary>Connects a loaded or saved value to its backend (resolved from the registry the model was built with).</summary>
    internal void AttachStorage(StorageRegistry? registry)
    {
        if (registry is null)
        {
            _unresolvedBackend = Backend ?? "(default)";
            return;
        }

        if (Backend is null)
        {
            _storage = registry.Default;
            _storageName = registry.DefaultName;
        }
        else if (registry.TryGet(Backend, out var storage))
        {
            _storage = storage;
            _storageName = Backend;
        }
        else
        {
            _unresolvedBackend = Backend;
        }
    }

    internal PendingContent? Pending => _pending;

    /// <summary>For a direct upload: the backend and key of the object in its upload place, removed once the save commits.</summary>
    internal (string Backend, string Key)? DirectUploadSource { get; private init; }

    /// <summary>
    /// For a direct upload: what was checked when it was attached (the size declared for its target, and the uploaded object's
    /// ETag then). SaveChanges checks the object against them again before and while copying it.
    /// </summary>
    internal (long DeclaredSize, string? ETag)? DirectUploadAttached { get; private init; }

    /// <summary>A direct upload checked by AttachDirectUploadAsync: saved by copying the uploaded object to <paramref name="key"/>.</summary>
    internal static FileObject FromDirectUpload(
        string fileName, string key, string backend, string contentType, IStorageBackend storage, string uploadKey, long declaredSize,
        string? eTag)
        => new(fileName, key, backend, contentType, NoMetadata)
        {
            _pending = PendingContent.FromStorage(storage, uploadKey),
            _contentTypeDeclared = true,
            DirectUploadSource = (backend, uploadKey),
            DirectUploadAttached = (declaredSize, eTag),
        };

    /// <summary>
    /// A generated key: <c>ab/&lt;UUIDv7&gt;/&lt;safe name&gt;</c>, where <c>ab</c> is the UUID's last two hex digits
    /// (random bits, not its timestamp). On a file system that is at most 256 folders at the root, each holding one
    /// folder per object for a 256th of the objects, instead of one folder per object at the root; the 256 are made
    /// once and kept, so an upload creates one folder, as before. Object stores ignore the shape.
    /// </summary>
    internal static string KeyFor(Guid id, string fileName)
    {
        var hex = id.ToString("N");
        return $"{hex[30..32]}/{hex}/{SafeName(fileName)}";
    }

    internal static void CheckFileName(string fileName) => ValidateFileName(fileName);

    /// <summary>Uploads the pending content; on return the object is stored and describes what the backend holds.</summary>
    internal async Task UploadAsync(
        string backendName, IStorageBackend storage, long? maxSize, Func<long, Exception> onTooLarge,
            IReadOnlyList<string>? allowedContentTypes, string property,
        bool async, CancellationToken cancellationToken)
    {
        var pending = _pending ?? throw new FileObjectStateException($"'{FileName}' has no content waiting to be uploaded.");
        var source = await pending.OpenAsync(FileName, async, cancellationToken).ConfigureAwait(false);
        try
        {
            // The type comes from the bytes (checked against the declared one and the allowed types) before the backend sees anything.
            var (content, contentType) = await Files.Internal.UploadContentInspector.InspectAsync(
                source, FileName, ContentType, _contentTypeDeclared, allowedContentTypes, property, async, cancellationToken).ConfigureAwait(false);
            if (DirectUploadSource is not null && !string.Equals(contentType, ContentType, StringComparison.OrdinalIgnoreCase))
            {
                // The bytes read for the copy are not those checked when the upload was attached (overwritten through its URL since).
                throw new FileValidationException($"The direct upload '{FileName}' changed after it was attached: its bytes are now "
                    + $"'{contentType}', not the '{ContentType}' that was checked; nothing was stored and the upload was removed. Upload "
                    + "the file again with a new target.") { Property = property };
            }

            using var hashing = new HashingReadStream(content, maxSize, onTooLarge);
            var options = new StorageUploadOptions { ContentType = contentType, Metadata = Metadata, Overwrite = false };
            StoredObjectInfo info;
            using (var operation = StorageOperation.Start(StorageTelemetry.Upload, backendName, storage))
            {
                try
                {
                    info = async
                        ? await storage.UploadAsync(Key, hashing, options, cancellationToken).ConfigureAwait(false)
                        : storage.Upload(Key, hashing, options);
                    operation?.SetBytes(hashing.BytesRead);
                    if (info.Size != hashing.BytesRead)
                    {
                        throw await SizeMismatchAsync(storage, info, hashing.BytesRead, async).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (StorageOperation.Fail(operation, ex))
                {
                    throw;
                }
            }

            Backend = backendName;
            _storage = storage;
            _storageName = backendName;
            _unresolvedBackend = null;
            _contentTypeBeforeUpload = ContentType;
            ContentType = contentType;
            Size = hashing.BytesRead;
            Checksum = "sha256:" + hashing.Sha256Hex;
            ETag = info.ETag;
            LastModified = info.LastModified;
            VersionId = info.VersionId;
            _uploadedFrom = pending;
            _pending = null;
        }
        finally
        {
            if (pending.OwnsOpenedStream)
            {
                if (async)
                {
                    await source.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    source.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// A backend reported another size than was read from the content (the built-in backends verify their own uploads; this
    /// catches any other): the object is removed, and the upload fails with <see cref="StorageIntegrityException"/>.
    /// </summary>
    private async Task<StorageIntegrityException> SizeMismatchAsync(IStorageBackend storage, StoredObjectInfo info, long sent, bool async)
    {
        var removed = false;
        try
        {
            var result = async ? await storage.DeleteManyAsync([Key], CancellationToken.None).ConfigureAwait(false) : storage.DeleteMany([Key]);
            removed = result.Failed.Count == 0;
        }
        catch (StorageException)
        {
            // Reported below: the object is an orphan until reconciliation removes it.
        }

        var left = removed ? "The object was removed" : "Removing the object failed too: it is an orphan until reconciliation removes it";
        return new StorageIntegrityException($"{storage} accepted the upload of '{Key}' but reports {info.Size:N0} bytes for it, and "
            + $"{sent:N0} were sent. {left}, and nothing was saved that refers to it. Check the storage backend's implementation.")
        {
            Key = Key,
            SentBytes = sent,
            StoredBytes = info.Size,
            ObjectRemoved = removed,
        };
    }

    /// <summary>After a failed save removed the uploaded object: wait to be uploaded again (if the source can be read again).</summary>
    internal void RevertUpload()
    {
        if (_uploadedFrom is null)
        {
            return;
        }

        _pending = _uploadedFrom.Rewind();
        _uploadedFrom = null;
        ContentType = _contentTypeBeforeUpload ?? ContentType;
        Size = null;
        Checksum = null;
        ETag = null;
        LastModified = null;
        VersionId = null;
    }

    /// <summary>After the save committed: forget the source, so the bytes or stream can be collected.</summary>
    internal void CompleteUpload() => _uploadedFrom = null;

    /// <summary>Opening for reading, traced as a download (the span ends once the stream is open); the backend's own call when nobody listens.</summary>
    private Task<Stream> OpenReadCoreAsync(IStorageBackend storage, StorageRange? range, CancellationToken cancellationToken)
    {
        var operation = StorageOperation.Start(StorageTelemetry.Download, _storageName ?? Backend ?? "", storage);
        return operation is null ? storage.OpenReadAsync(Key, range, cancellationToken) : OpenReadTracedAsync(operation, storage, range, cancellationToken);
    }

    private async Task<Stream> OpenReadTracedAsync(
        StorageOperation operation, IStorageBackend storage, StorageRange? range, CancellationToken cancellationToken)
    {
        using var traced = operation;
        try
        {
            var stream = await storage.OpenReadAsync(Key, range, cancellationToken).ConfigureAwait(false);
            RecordOpened(operation, stream, range);
            return stream;
        }
        catch (Exception ex) when (StorageOperation.Fail(operation, ex))
        {
            throw;
        }
    }

    /// <summary>The bytes a download opened: the stream's length where it knows it, else the range's or the recorded size.</summary>
    private void RecordOpened(StorageOperation? operation, Stream stream, StorageRange? range)
    {
        if (operation is null)
        {
            return;
        }

        long? bytes = null;
        try
        {
            bytes = stream.CanSeek ? stream.Length - stream.Position : null;
        }
        catch (NotSupportedException)
        {
            // A stream that claims to seek but has no length: fall back to what the row says.
        }

        bytes ??= range is { } r ? r.Length ?? (Size - r.Offset) : Size;
        if (bytes is { } count)
        {
            operation.SetBytes(count);
        }
    }

    private IStorageBackend RequireStorage()
    {
        if (_pending is not null)
        {
            throw new FileObjectStateException($"'{FileName}' is not stored yet: its content is uploaded by SaveChanges. Save first, then read it.");
        }

        if (_unresolvedBackend is not null)
        {
            throw new AlchemyTypesConfigurationException(
                $"'{FileName}' is stored in the storage backend '{_unresolvedBackend}', which is not registered on this context. "
                + "Register it with AddAlchemyTypes(a => a.AddStorage(name, backend)).");
        }

        return _storage ?? throw new FileObjectStateException($"'{FileName}' is not connected to a storage backend: load it through a "
            + $"DbContext with AddAlchemyTypes storage, or save it first.");
    }

    private static FileObject Create(string fileName, PendingContent content, FileObjectOptions? options)
    {
        ValidateFileName(fileName);
        var contentType = options?.ContentType ?? ContentTypes.Guess(fileName);
        if (!ContentTypes.IsValid(contentType))
        {
            throw new ArgumentException($"'{contentType}' is not a valid content type (expected type/subtype, e.g. application/pdf).", nameof(options));
        }

        if (options?.Backend is { } backend)
        {
            StorageRegistry.ValidateName(backend);
        }

        var key = options?.Key is { } given ? StorageKey.Validate(given) : GenerateKey(fileName);
        var metadata = ValidateMetadata(options?.Metadata);
        return new FileObject(fileName, key, options?.Backend, contentType, metadata) { _pending = content,
            _contentTypeDeclared = options?.ContentType is not null };
    }

    private static void ValidateFileName(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (fileName.Length > 255 || fileName.Any(char.IsControl))
        {
            throw new ArgumentException("A file name has at most 255 characters and no control characters.", nameof(fileName));
        }
    }

    private static Dictionary<string, string> ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return NoMetadata;
        }

        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        var total = 0;
        foreach (var (name, value) in metadata)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 64 || !(char.IsAsciiLetter(name[0]) || name[0] == '_')
                || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ArgumentException($"Metadata name '{name}' is not allowed: use letters, digits and '_' (starting with a letter or "
                    + $"'_'), at most 64 characters.", nameof(metadata));
            }

            ArgumentNullException.ThrowIfNull(value, $"metadata[{name}]");
            if (!value.All(c => c is >= ' ' and <= '~'))
            {
                throw new ArgumentException($"Metadata value of '{name}' is not allowed: use printable ASCII characters only.", nameof(metadata));
            }

            total += name.Length + value.Length;
            copy[name.ToLowerInvariant()] = value;
        }

        if (total > 2048)
        {
            throw new ArgumentException($"Metadata is {total} characters; the limit every backend accepts is 2048.", nameof(metadata));
        }

        return copy;
    }

    private static string GenerateKey(string fileName) => KeyFor(UuidV7ValueGenerator.NewGuid(null), fileName);

    private static string SafeName(string fileName)
    {
        var safe = new StringBuilder(Math.Min(fileName.Length, 100));
        foreach (var c in fileName)
        {
            if (safe.Length == 100)
            {
                break;
            }

            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var name = safe.ToString().Trim('.');
        return name.Length == 0 ? "file" : name;
    }
}
