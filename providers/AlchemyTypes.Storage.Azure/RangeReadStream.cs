namespace AlchemyTypes.Storage.Azure;

/// <summary>A download that skips <c>skip</c> bytes and then gives at most <c>limit</c>; disposing it releases the response.</summary>
internal sealed class RangeReadStream(Stream inner, long skip, long limit) : Stream
{
    private long _toSkip = skip;
    private long _remaining = limit;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("A blob download stream has no length; use GetInfoAsync.");

    public override long Position
    {
        get => throw new NotSupportedException("A blob download stream cannot seek; open it again with a StorageRange.");
        set => throw new NotSupportedException("A blob download stream cannot seek; open it again with a StorageRange.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_toSkip > 0)
        {
            var skipped = inner.Read(buffer[..(int)Math.Min(buffer.Length, _toSkip)]);
            if (skipped == 0)
            {
                return 0;
            }

            _toSkip -= skipped;
        }

        if (_remaining <= 0 || buffer.IsEmpty)
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
        while (_toSkip > 0)
        {
            var skipped = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _toSkip)], cancellationToken).ConfigureAwait(false);
            if (skipped == 0)
            {
                return 0;
            }

            _toSkip -= skipped;
        }

        if (_remaining <= 0 || buffer.IsEmpty)
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

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A blob download stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A blob download stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A blob download stream is read-only.");

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
