namespace AlchemyTypes.Files.Internal;

/// <summary>
/// A read-only, forward-only stream giving back the head already read from a non-seekable source, then the rest of that
/// source. Does not dispose the source.
/// </summary>
internal sealed class HeadThenRestStream(byte[] head, int headLength, Stream rest) : Stream
{
    private int _headPosition;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("The length of the source is not known.");

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("This stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _headPosition < headLength ? FromHead(buffer) : rest.Read(buffer);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = _headPosition < headLength ? FromHead(buffer.Span) : await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("This stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("This stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("This stream is read-only.");

    private int FromHead(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, headLength - _headPosition);
        head.AsSpan(_headPosition, count).CopyTo(buffer);
        _headPosition += count;
        return count;
    }
}
