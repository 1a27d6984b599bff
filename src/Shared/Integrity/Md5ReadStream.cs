using System.Security.Cryptography;

// MD5 here is the stores' own integrity checksum (S3 ETags, Content-MD5), compared to detect corruption; it protects no secret.
#pragma warning disable CA5351
namespace AlchemyTypes.Shared.Integrity;

/// <summary>
/// Wraps the caller's stream while an SDK sends it in one request, and computes the MD5 of the bytes from the starting
/// position onwards, as they go by: nothing is read twice for it. SDKs may read a seekable body more than once (to sign it,
/// or to retry after rewinding), so each byte is hashed only the first time it is read, in order; a read that skips bytes
/// never hashed makes the digest unknown (<see cref="TryGetDigest"/> answers false). Does not dispose the inner stream.
/// </summary>
internal sealed class Md5ReadStream(Stream inner) : Stream
{
    private readonly long _start = inner.Position;
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private long _hashed; // bytes hashed, counted from _start
    private bool _broken;
    private byte[]? _digest;

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    /// <summary>The MD5 of the <paramref name="length"/> bytes from the start, when exactly those were read, in order.</summary>
    public bool TryGetDigest(long length, out byte[] digest)
    {
        if (_broken || _hashed != length)
        {
            digest = [];
            return false;
        }

        digest = _digest ??= _md5.GetHashAndReset();
        return true;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var at = inner.Position;
        var read = inner.Read(buffer);
        Account(at, buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var at = inner.Position;
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(at, buffer.Span[..read]);
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("This stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("This stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _md5.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(long position, ReadOnlySpan<byte> bytes)
    {
        var offset = position - _start;
        if (_broken || bytes.IsEmpty || offset + bytes.Length <= _hashed)
        {
            return; // read again: hashed already
        }

        if (offset > _hashed || offset < 0)
        {
            _broken = true; // bytes skipped: the digest would not be of the content
            return;
        }

        var fresh = bytes[(int)(_hashed - offset)..];
        _md5.AppendData(fresh);
        _hashed += fresh.Length;
    }
}
