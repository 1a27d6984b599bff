namespace AlchemyTypes.Storage.Internal;

/// <summary>
/// A read-only view of an inner stream that first discards <c>skip</c> bytes, then gives at most <c>length</c>; disposing it
/// disposes the inner stream. Shared as source with the storage providers (each assembly compiles its own internal copy).
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long length, long skip = 0) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;
    private long _toSkip = skip;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _length - _remaining;
        set => throw new NotSupportedException("This stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_toSkip > 0 && !buffer.IsEmpty)
        {
            var skipped = inner.Read(buffer[..(int)Math.Min(buffer.Length, _toSkip)]);
            if (skipped == 0)
            {
                return 0;
            }

            _toSkip -= skipped;
        }

        if (_remaining <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_toSkip > 0 && !buffer.IsEmpty)
        {
            var skipped = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _toSkip)], cancellationToken).ConfigureAwait(false);
            if (skipped == 0)
            {
                return 0;
            }

            _toSkip -= skipped;
        }

        if (_remaining <= 0)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("This stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("This stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("This stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
