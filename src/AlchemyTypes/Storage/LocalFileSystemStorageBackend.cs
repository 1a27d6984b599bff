using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlchemyTypes.Shared.IO;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Internal;

namespace AlchemyTypes;

/// <summary>
/// Keeps objects as files under a root directory: key <c>a/b.pdf</c> is the file <c>root/a/b.pdf</c>.
/// Keys can never leave the root: besides the <see cref="StorageKey"/> rules, the resolved path must stay inside the root
/// and no existing path component may be a symbolic link that points outside it. Uploads are written to a temporary file in
/// the same file system, flushed to disk, and renamed into place, so a reader never sees a half-written file. Content type,
/// metadata and ETag are kept in a JSON sidecar under <c>root/.alchemytypes/meta/</c>; the first key segment
/// <c>.alchemytypes</c> is reserved for that.
/// </summary>
/// <remarks>
/// The symbolic-link check happens before the file is opened: a process that can create links inside the root between the
/// check and the open (a TOCTOU race) is outside what this backend defends against. Give the root to this process alone.
/// </remarks>
public sealed class LocalFileSystemStorageBackend : ISignedUrlStorageBackend
{
    private const string InternalFolderName = ".alchemytypes";
    private const int BufferSize = 81920;

    private readonly string _root;
    private readonly string _metaRoot;
    private readonly string _tempRoot;
    private readonly object[] _conditionalDeleteLocks = [.. Enumerable.Range(0, 64).Select(_ => new object())];
    private readonly LocalUrlSigner? _signer;

    /// <summary>Creates a backend over <paramref name="rootDirectory"/>, creating the folder if needed.</summary>
    /// <param name="rootDirectory">The folder that holds the objects.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public LocalFileSystemStorageBackend(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        var root = new DirectoryInfo(Path.GetFullPath(rootDirectory));
        root.Create();
        // Resolve a linked root once, so that containment checks compare real paths.
        var resolved = RealPath(root.FullName)
            ?? throw new ArgumentException($"The storage root '{root.FullName}' is a chain of symbolic links that does not end (a "
                + $"loop).", nameof(rootDirectory));
        _root = Path.TrimEndingDirectorySeparator(resolved);
        _metaRoot = Path.Combine(_root, InternalFolderName, "meta");
        _tempRoot = Path.Combine(_root, InternalFolderName, "tmp");
        Directory.CreateDirectory(_metaRoot);
        Directory.CreateDirectory(_tempRoot);
    }

    /// <summary>
    /// Creates a backend from options; with <see cref="LocalFileSystemStorageOptions.SigningKey"/> and
    /// <see cref="LocalFileSystemStorageOptions.BaseUrl"/> it signs URLs that <c>app.MapAlchemyTypesLocalStorage(backend)</c> serves.
    /// </summary>
    /// <param name="options">The root directory and the signing settings.</param>
    /// <exception cref="AlchemyTypesConfigurationException">The options are not valid.</exception>
    public LocalFileSystemStorageBackend(LocalFileSystemStorageOptions options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).RootDirectory ?? "")
    {
        options.Validate();
        MaxUploadSize = options.MaxUploadSize;
        if (options.SigningKey is { } secret && options.BaseUrl is { } baseUrl)
        {
            _signer = new LocalUrlSigner(secret, baseUrl, options.TimeProvider);
        }
    }

    /// <summary>Whether this backend signs URLs (it was created with a signing key and a base URL).</summary>
    public bool CanSignUrls => _signer is not null;

    /// <summary>The largest upload the endpoint accepts through a signed PUT URL.</summary>
    public long MaxUploadSize { get; } = 5L * 1024 * 1024 * 1024;

    internal LocalUrlSigner? Signer => _signer;

    /// <summary>
    /// A URL under the configured base URL, signed with HMAC-SHA256 and expiring, for GET (read) or PUT (create: the endpoint never
    /// replaces an existing object, and takes at most <see cref="SignedUrlOptions.MaxSize"/> or <see cref="MaxUploadSize"/> bytes,
    /// with exactly the <see cref="SignedUrlOptions.ContentType"/> when one is set). Served by <c>app.MapAlchemyTypesLocalStorage</c>.
    /// </summary>
    /// <param name="key">The object key.</param>
    /// <param name="options">Method, expiry, content type and size limit for PUT.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The URL.</returns>
    /// <exception cref="StorageCapabilityException">The backend was created without a signing key and base URL.</exception>
    public Task<Uri> GetSignedUrlAsync(string key, SignedUrlOptions options, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var signer = _signer ?? throw new StorageCapabilityException($"{this} cannot sign URLs: create it with LocalFileSystemStorageOptions "
            + "that set SigningKey and BaseUrl, and map the endpoint with app.MapAlchemyTypesLocalStorage(backend).");
        return Task.FromResult(signer.Sign(key, options, MaxUploadSize));
    }

    /// <summary>The resolved root directory.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null, CancellationToken cancellationToken = default)
        => UploadCoreAsync(key, content, options, async: true, cancellationToken);

    /// <inheritdoc />
    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
        => UploadCoreAsync(key, content, options, async: false, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open(key, range, FileOptions.Asynchronous | FileOptions.SequentialScan));
    }

    /// <inheritdoc />
    public Stream OpenRead(string key, StorageRange? range = null) => Open(key, range, FileOptions.SequentialScan);

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
        => Task.FromResult(File.Exists(ResolvePath(key)));

    /// <inheritdoc />
    public async Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = ResolvePath(key);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw StorageObjectNotFoundException.ForKey(key, ToString());
        }

        Sidecar? sidecar = null;
        var metaPath = MetaPath(key);
        if (File.Exists(metaPath))
        {
            var stream = new FileStream(metaPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                sidecar = await JsonSerializer.DeserializeAsync<Sidecar>(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        return new StoredObjectInfo
        {
            Key = key,
            Size = file.Length,
            ContentType = sidecar?.ContentType ?? "application/octet-stream",
            ETag = sidecar?.ETag,
            LastModified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
            Metadata = sidecar?.Metadata ?? new Dictionary<string, string>(),
        };
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        DeleteCore(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var path = ResolvePath(key);
        lock (_conditionalDeleteLocks[(StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % _conditionalDeleteLocks.Length])
        {
            if (!File.Exists(path))
            {
                return Task.FromResult(false);
            }

            // The sidecar is written before the content is renamed into place, so a later object under this key already
            // shows its own ETag here: the comparison never matches it.
            if (options.IfMatchETag is { } etag && !string.Equals(etag, ReadSidecar(key)?.ETag, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            DeleteCore(key);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(DeleteMany(keys));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Up to <see cref="DeleteManyConcurrency"/> keys are deleted at once: an unlink whose inode and folder are not cached
    /// waits on the disk, and those waits overlap (one after another, 100,000 keys measured 1,900 a second here).
    /// </remarks>
    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var (valid, failed) = StorageKey.Partition(keys);
        var errors = new string?[valid.Count];
        Parallel.For(0, valid.Count, new ParallelOptions { MaxDegreeOfParallelism = DeleteManyConcurrency }, i =>
        {
            try
            {
                DeleteCore(valid[i]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
            {
                errors[i] = ex.Message;
            }
        });

        var deleted = new List<string>(valid.Count);
        for (var i = 0; i < valid.Count; i++)
        {
            if (errors[i] is { } error)
            {
                failed[valid[i]] = error;
            }
            else
            {
                deleted.Add(valid[i]);
            }
        }

        return new StorageDeleteResult(deleted, failed, requestCount: keys.Count);
    }

    /// <summary>How many keys <see cref="DeleteMany"/> deletes at once.</summary>
    private const int DeleteManyConcurrency = 8;

    /// <inheritdoc />
    public bool CanList => true;

    /// <inheritdoc />
    /// <remarks>
    /// Folders are walked depth first, each folder's entries sorted so that keys come out in <see cref="StorageKey.Order"/>
    /// (a folder sorts as its name followed by '/'). Memory is bounded by the largest single folder's entry names, not by
    /// the number of objects. Files being written (the backend's own temporary files) are never listed.
    /// </remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListAsync(StorageListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StorageListOptions();
        options.Validate();
        return ListCoreAsync(options, cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => $"local storage at '{_root}'";

    private async IAsyncEnumerable<StoredObjectInfo> ListCoreAsync(StorageListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = options.Prefix ?? "";
        // Start in the deepest folder the prefix names whole: "ab/cd/e" lists the folder "ab/cd", keys starting with "e".
        var lastSlash = prefix.LastIndexOf('/');
        var startFolder = lastSlash < 0 ? "" : prefix[..lastSlash];
        if (startFolder.Length > 0 && !StorageKey.IsValid(startFolder))
        {
            yield break;
        }

        var startPath = startFolder.Length == 0 ? _root : Path.Combine(_root, Path.Combine(startFolder.Split('/')));
        if (!Directory.Exists(startPath) || (startFolder.Length > 0 && !IsInsideRoot(Path.GetFullPath(startPath))))
        {
            yield break;
        }

        var stack = new Stack<(string Path, string KeyPrefix, Queue<(string Name, bool IsFolder)> Entries)>();
        stack.Push((startPath, startFolder.Length == 0 ? "" : startFolder + "/", SortedEntries(startPath, startFolder.Length == 0)));
        while (stack.Count > 0)
        {
            var (folder, keyPrefix, entries) = stack.Peek();
            if (!entries.TryDequeue(out var entry))
            {
                stack.Pop();
                continue;
            }

            var key = keyPrefix + entry.Name;
            if (entry.IsFolder)
            {
                var folderKey = key + "/";
                // Skip a folder none of whose keys can match the prefix or come after the resume point.
                var matchesPrefix = folderKey.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(folderKey, StringComparison.Ordinal);
                var afterStart = options.StartAfter is null || options.StartAfter.StartsWith(folderKey, StringComparison.Ordinal)
                    || StorageKey.Order.Compare(folderKey, options.StartAfter) > 0;
                var path = Path.Combine(folder, entry.Name);
                if (matchesPrefix && afterStart && new DirectoryInfo(path).LinkTarget is null)
                {
                    stack.Push((path, folderKey, SortedEntries(path, isRoot: false)));
                }

                continue;
            }

            if (!key.StartsWith(prefix, StringComparison.Ordinal)
                || (options.StartAfter is not null && StorageKey.Order.Compare(key, options.StartAfter) <= 0)
                || !StorageKey.IsValid(key))
            {
                continue;
            }

            var file = new FileInfo(Path.Combine(folder, entry.Name));
            if (!file.Exists || file.LinkTarget is not null)
            {
                continue; // deleted since the folder was read, or a link (never written by this backend)
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredObjectInfo
            {
                Key = key,
                Size = file.Length,
                LastModified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
            };
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static Queue<(string Name, bool IsFolder)> SortedEntries(string folder, bool isRoot)
    {
        var entries = new List<(string Name, bool IsFolder, string SortKey)>();
        try
        {
            foreach (var info in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                var isFolder = (info.Attributes & FileAttributes.Directory) != 0;
                if (isRoot && string.Equals(info.Name, InternalFolderName, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                entries.Add((info.Name, isFolder, isFolder ? info.Name + "/" : info.Name));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed while listing: nothing in it to list.
        }

        entries.Sort((a, b) => StorageKey.Order.Compare(a.SortKey, b.SortKey));
        return new Queue<(string, bool)>(entries.Select(e => (e.Name, e.IsFolder)));
    }

    private async Task<StoredObjectInfo> UploadCoreAsync(string key, Stream content, StorageUploadOptions? options, bool async,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = ResolvePath(key);
        var overwrite = options?.Overwrite == true;
        if (!overwrite && File.Exists(path))
        {
            throw StorageObjectExistsException.ForKey(key, ToString());
        }

        CreateFolderFor(path);
        // The parent folders may have been created just now: check again that none of them is a link out of the root.
        path = ResolvePath(key);

        // The root may have been removed while the application runs: recreate the backend's own folders.
        Directory.CreateDirectory(_tempRoot);
        var temp = Path.Combine(_tempRoot, Guid.NewGuid().ToString("N") + ".tmp");
        string? sidecarTemp = null;
        string etag;
        try
        {
            // A FileObject upload hashes its content as it is read: that digest is reused (one SHA-256 pass, overlapped with the writes).
            var hashed = content as Files.Internal.HashingReadStream;
            using var sha = hashed is null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize,
                async ? FileOptions.Asynchronous : FileOptions.None);
            long written = 0;
            await using (stream.ConfigureAwait(false))
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    int read;
                    while ((read = async
                        ? await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)
                        : content.Read(buffer, 0, BufferSize)) > 0)
                    {
                        sha?.AppendData(buffer, 0, read);
                        written += read;
                        if (async)
                        {
                            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            stream.Write(buffer, 0, read);
                        }
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }

                // Durable before it becomes visible: the rename below must never expose data the disk does not hold.
                stream.Flush(flushToDisk: true);
            }

            // What the disk holds, as the file system reports it, is what was read: checked before the file becomes visible.
            if (new FileInfo(temp).Length is var held && held != written)
            {
                throw new StorageIntegrityException($"{this} wrote {written:N0} bytes for '{key}' but the file holds {held:N0}. The file was "
                    + "removed, and nothing was saved that refers to it. Check the disk and the file system.")
                {
                    Key = key,
                    SentBytes = written,
                    StoredBytes = held,
                };
            }

            // Content hash and a per-write part: a later write of the same bytes under the same key is another version.
            etag = "\"" + Convert.ToHexStringLower((sha?.GetHashAndReset() ?? hashed!.Sha256).AsSpan(0, 12)) + "-" + Guid.NewGuid().ToString("N")[..12] + "\"";
            var sidecar = new Sidecar(options?.ContentType ?? "application/octet-stream", etag, options?.Metadata?.ToDictionary(StringComparer.Ordinal));
            sidecarTemp = await WriteSidecarTempAsync(sidecar, async, cancellationToken).ConfigureAwait(false);
            try
            {
                MoveIntoPlace(temp, path, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(path))
            {
                // Another upload of this key won the race: its metadata stays; ours is discarded.
                throw StorageObjectExistsException.ForKey(key, ToString());
            }

            // Only the upload whose data file is in place publishes its metadata.
            var metaPath = MetaPath(key);
            CreateFolderFor(metaPath);
            MoveIntoPlace(sidecarTemp, metaPath, overwrite: true);
            sidecarTemp = null;
        }
        catch (PathTooLongException ex)
        {
            TryDelete(temp);
            throw TooLong(key, ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            if (sidecarTemp is not null)
            {
                TryDelete(sidecarTemp);
            }
        }

        var file = new FileInfo(path);
        return new StoredObjectInfo
        {
            Key = key,
            Size = file.Length,
            ContentType = options?.ContentType ?? "application/octet-stream",
            ETag = etag,
            LastModified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
            Metadata = new Dictionary<string, string>(options?.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        };
    }

    /// <summary>Writes the sidecar to a temporary file of its own; the caller moves it into place once its upload won.</summary>
    private async Task<string> WriteSidecarTempAsync(Sidecar sidecar, bool async, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(_tempRoot, Guid.NewGuid().ToString("N") + ".meta.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
            await using (stream.ConfigureAwait(false))
            {
                if (async)
                {
                    await JsonSerializer.SerializeAsync(stream, sidecar, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    JsonSerializer.Serialize(stream, sidecar);
                }
            }

            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private Stream Open(string key, StorageRange? range, FileOptions fileOptions)
    {
        var path = ResolvePath(key);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, fileOptions);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw StorageObjectNotFoundException.ForKey(key, ToString());
        }

        if (range is not { } r)
        {
            return stream;
        }

        try
        {
            var (start, count) = r.Clip(stream.Length);
            stream.Seek(start, SeekOrigin.Begin);
            return new BoundedReadStream(stream, count);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private void DeleteCore(string key)
    {
        var path = ResolvePath(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // A missing folder means a missing object: not an error.
        }

        RemoveEmptyFolders(path, _root);
        var metaPath = MetaPath(key);
        TryDelete(metaPath);
        RemoveEmptyFolders(metaPath, _metaRoot);
    }

    /// <summary>
    /// Renames a finished temporary file into place. A delete of another key may remove the (then empty) folder between the
    /// upload's CreateDirectory and this rename: the folder is created again and the rename retried.
    /// </summary>
    private static void MoveIntoPlace(string temp, string path, bool overwrite)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.Move(temp, path, overwrite);
                return;
            }
            catch (IOException) when (attempt < 16 && File.Exists(temp) && !Directory.Exists(Path.GetDirectoryName(path)))
            {
                CreateFolderFor(path);
            }
        }
    }

    /// <summary>Creates the folder of <paramref name="path"/>, again if a concurrent delete removes a parent while it is being made.</summary>
    private static void CreateFolderFor(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                return;
            }
            catch (IOException) when (attempt < 16 && !File.Exists(Path.GetDirectoryName(path)!))
            {
                // A parent made (or seen) a moment ago was removed as empty by a concurrent delete: make it again. (.NET reports
                // that race as DirectoryNotFoundException, or as "already exists" when mkdir saw the folder and it was gone
                // again by the time it was checked.) A file where the folder should be is a real conflict and is thrown.
            }
        }
    }

    /// <summary>
    /// After a delete: removes the folders above <paramref name="path"/> that are now empty, up to (not including)
    /// <paramref name="stop"/>, so deleted objects leave no folders behind. A folder that is not empty (or that an upload
    /// fills again meanwhile) stops the walk; a symbolic link is never removed. An upload racing with this recreates its
    /// folder (<see cref="MoveIntoPlace"/>).
    /// </summary>
    private static void RemoveEmptyFolders(string path, string stop)
    {
        var folder = Path.GetDirectoryName(path);
        while (folder is not null && folder.StartsWith(stop + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            if (IsShardFolder(folder.AsSpan(stop.Length + 1)))
            {
                return;
            }

            try
            {
                if (new DirectoryInfo(folder).LinkTarget is not null)
                {
                    return;
                }

                // Most walks end at a shared folder that still holds other objects: reading one entry is much cheaper than
                // a failed rmdir and its exception. (An upload filling the folder after this check makes the rmdir fail below.)
                using (var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator())
                {
                    if (entries.MoveNext())
                    {
                        return;
                    }
                }

                Directory.Delete(folder, recursive: false);
            }
            catch (DirectoryNotFoundException)
            {
                // Removed by a concurrent delete: its parent may be empty now too.
            }
            catch (IOException)
            {
                return; // filled again in the meantime (an upload won the race)
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }

            folder = Path.GetDirectoryName(folder);
        }
    }

    /// <summary>
    /// Whether <paramref name="relative"/> (a folder under the root or the sidecar root) is one of the fixed shard folders of
    /// generated keys, <c>ab</c> (two lowercase hex digits): at most 256 of them, made once and kept, because making and
    /// removing one with every object would cost a directory create and remove per upload.
    /// </summary>
    private static bool IsShardFolder(ReadOnlySpan<char> relative)
        => relative.Length == 2 && char.IsAsciiHexDigitLower(relative[0]) && char.IsAsciiHexDigitLower(relative[1]);

    private Sidecar? ReadSidecar(string key)
    {
        try
        {
            using var stream = new FileStream(MetaPath(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonSerializer.Deserialize<Sidecar>(stream);
        }
        catch (IOException)
        {
            return null; // no sidecar (FileNotFoundException, DirectoryNotFoundException): no ETag to match
        }
    }

    private string MetaPath(string key) => Path.Combine(_metaRoot, key + ".json");

    /// <summary>The full path of <paramref name="key"/>, after every containment and link check.</summary>
    private string ResolvePath(string key)
    {
        StorageKey.Validate(key);
        var segments = key.Split('/');
        if (string.Equals(segments[0], InternalFolderName, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidStorageKeyException($"The storage key '{key}' is not allowed: its first segment '{InternalFolderName}' is "
                + $"reserved for the backend's own files.");
        }

        foreach (var segment in segments)
        {
            // The sidecar adds ".json" to the last segment; most file systems allow 255 bytes per name.
            if (Encoding.UTF8.GetByteCount(segment) + SidecarSuffix.Length > MaxNameBytes)
            {
                throw TooLong(key, null);
            }
        }

        var full = Path.GetFullPath(Path.Combine(_root, Path.Combine(segments)));
        if (Encoding.UTF8.GetByteCount(MetaPath(key)) >= MaxPathBytes)
        {
            throw TooLong(key, null);
        }

        if (!IsInsideRoot(full))
        {
            throw new InvalidStorageKeyException($"The storage key '{key}' is not allowed: it resolves outside the storage root.");
        }

        if (new DirectoryInfo(_root).LinkTarget is not null)
        {
            throw new InvalidStorageKeyException($"The storage root '{_root}' was replaced by a symbolic link after the backend was created; "
                + $"refusing '{key}'.");
        }

        // Walk the existing components from the root down: a link anywhere must not lead out of the root.
        var current = _root;
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (!info.Exists && info.LinkTarget is null)
            {
                break;
            }

            if (info.LinkTarget is not null)
            {
                // Follow the whole chain, including links among the target's own parent folders, to the real location.
                var target = RealPath(current);
                if (target is null || !IsInsideRoot(target))
                {
                    throw new InvalidStorageKeyException(
                        $"The storage key '{key}' is not allowed: '{segment}' is a symbolic link that leads outside the storage root (or "
                            + $"into a loop of links).");
                }
            }
        }

        return full;
    }

    private const int MaxNameBytes = 255;
    private const int MaxPathBytes = 4096;
    private const string SidecarSuffix = ".json";
    private const int MaxLinkHops = 40;

    private static InvalidStorageKeyException TooLong(string key, Exception? inner)
        => new($"The storage key '{key}' is too long for the local file system (at most {MaxNameBytes - SidecarSuffix.Length} bytes per segment, "
            + $"{MaxPathBytes} bytes for the whole path under the root): use shorter segments.", inner);

    /// <summary>
    /// The location <paramref name="path"/> really names: every symbolic link along it, and along the targets of those
    /// links, replaced by its target (like POSIX realpath); components that do not exist are kept as they are. Null for a
    /// loop (more than 40 links).
    /// </summary>
    private static string? RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var resolved = Path.GetPathRoot(full)!;
        var pending = new Stack<string>(full[resolved.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar],
            StringSplitOptions.RemoveEmptyEntries).Reverse());
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var next = Path.Combine(resolved, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                resolved = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                return null;
            }

            if (Path.IsPathRooted(target))
            {
                resolved = Path.GetPathRoot(target)!;
                target = target[resolved.Length..];
            }

            foreach (var piece in target.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(piece);
            }
        }

        return resolved;
    }

    private bool IsInsideRoot(string fullPath)
        => fullPath.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort (DirectoryNotFoundException included): a leftover temp or sidecar file is harmless and never visible as an object.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record Sidecar(string ContentType, string ETag, Dictionary<string, string>? Metadata);
}
