using System.Security.Cryptography;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Wraps a source stream while a backend reads it: counts the bytes, feeds them to SHA-256, and stops the upload with
/// <paramref name="onTooLarge"/> as soon as more than <paramref name="maxSize"/> bytes went by. Nothing is buffered.
/// Does not dispose the inner stream.
/// </summary>
internal sealed class HashingReadStream(Stream inner, long? maxSize, Func<long, Exception> onTooLarge) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? _digest;

    public long BytesRead { get; private set; }

    /// <summary>The SHA-256 of everything read, lowercase hex; valid once the inner stream is exhausted.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);

    /// <summary>
    /// The SHA-256 of everything read, valid once the inner stream is exhausted. A backend that hashes what it stores (the
    /// local one) takes this instead of hashing the same bytes a second time.
    /// </summary>
    public byte[] Sha256 => _digest ??= _hash.GetHashAndReset();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.CanSeek ? inner.Length - inner.Position + BytesRead : throw new NotSupportedException("The length "
        + "of the source is not known.");

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException("This stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read]);
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
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> bytes)
    {
        BytesRead += bytes.Length;
        if (BytesRead > maxSize)
        {
            throw onTooLarge(BytesRead);
        }

        _hash.AppendData(bytes);
    }
}
