namespace AlchemyTypes.Files.Internal;

/// <summary>Where a not-yet-uploaded FileObject's content comes from.</summary>
internal sealed class PendingContent
{
    private readonly byte[]? _bytes;
    private readonly Stream? _stream;
    private readonly long _streamStart;
    private readonly string? _path;
    private bool _consumed;

    private PendingContent(byte[]? bytes, Stream? stream, string? path)
    {
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

    public Stream Open(string fileName)
    {
        if (_consumed)
        {
            throw new FileObjectStateException(
                $"The content stream of '{fileName}' was read by a SaveChanges that failed, and it cannot be rewound. Assign a new FileObject with fresh content and save again.");
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
