namespace AlchemyTypes.Files.Internal;

/// <summary>Where a not-yet-uploaded FileObject's content comes from.</summary>
internal sealed class PendingContent
{
    private readonly byte[]? _bytes;
    private readonly Stream? _stream;
    private readonly long _streamStart;
    private readonly string? _path;
    private readonly (Storage.IStorageBackend Storage, string Key)? _stored;
    private bool _consumed;

    private PendingContent(byte[]? bytes, Stream? stream, string? path, (Storage.IStorageBackend, string)? stored = null)
    {
        _stored = stored;
        _bytes = bytes;
        _stream = stream;
        _path = path;
        _streamStart = stream is { CanSeek: true } ? stream.Position : -1;
    }

    /// <summary>True when <see cref="Open"/> returns a stream this object created (and the uploader disposes).</summary>
    public bool OwnsOpenedStream => _stream is null;

    /// <summary>The content length when known before reading (bytes, files, seekable streams).</summary>
    public long? KnownLength => _bytes?.LongLength
        ?? (_path is not null ? new FileInfo(_path).Length : _stream is { CanSeek: true } s ? s.Length - _streamStart : null);

    public static PendingContent FromBytes(byte[] bytes) => new(bytes, null, null);

    public static PendingContent FromStream(Stream stream) => new(null, stream, null);

    public static PendingContent FromPath(string path) => new(null, null, path);

    /// <summary>Content that is an object in storage already (a direct upload waiting in its upload place): read when saved.</summary>
    public static PendingContent FromStorage(Storage.IStorageBackend storage, string key) => new(null, null, null, (storage, key));

    public async Task<Stream> OpenAsync(string fileName, bool async, CancellationToken cancellationToken)
    {
        if (_stored is not { } stored)
        {
            return Open(fileName);
        }

        try
        {
            return async
                ? await stored.Storage.OpenReadAsync(stored.Key, null, cancellationToken).ConfigureAwait(false)
                : stored.Storage.OpenRead(stored.Key);
        }
        catch (Storage.StorageObjectNotFoundException ex)
        {
            throw new DirectUploadException(DirectUploadFailure.NotUploaded, $"The direct upload of '{fileName}' is no longer in storage "
                + "(attached and saved already, or removed): nothing was stored. Ask for a new upload target.", ex);
        }
    }

    public Stream Open(string fileName)
    {
        if (_consumed)
        {
            throw new FileObjectStateException(
                $"The content stream of '{fileName}' was read by a SaveChanges that failed, and it cannot be rewound. Assign a new "
                    + $"FileObject with fresh content and save again.");
        }

        if (_bytes is not null)
        {
            return new MemoryStream(_bytes, writable: false);
        }

        if (_path is not null)
        {
            return new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }

        return _stream!;
    }

    /// <summary>The same source, ready to be read again from the start, or marked consumed when it cannot be.</summary>
    public PendingContent Rewind()
    {
        if (_stream is { CanSeek: true })
        {
            _stream.Position = _streamStart;
        }
        else if (_stream is not null)
        {
            _consumed = true;
        }

        return this;
    }
}
