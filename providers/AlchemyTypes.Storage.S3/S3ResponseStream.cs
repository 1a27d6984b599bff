using Amazon.S3.Model;

namespace AlchemyTypes.Storage.S3;

/// <summary>The body of a GET, read straight from the connection; disposing it releases the response.</summary>
internal sealed class S3ResponseStream(GetObjectResponse response, long? limit) : Stream
{
    private readonly Stream _inner = response.ResponseStream;
    private long _remaining = limit is { } l ? Math.Min(l, response.ContentLength) : response.ContentLength;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => limit is { } l ? Math.Min(l, response.ContentLength) : response.ContentLength;

    public override long Position
    {
        get => throw new NotSupportedException("An S3 download stream cannot seek; open it again with a StorageRange.");
        set => throw new NotSupportedException("An S3 download stream cannot seek; open it again with a StorageRange.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = _inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("An S3 download stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("An S3 download stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("An S3 download stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
