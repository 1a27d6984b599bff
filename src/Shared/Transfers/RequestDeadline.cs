namespace AlchemyTypes.Shared.Transfers;

/// <summary>
/// The time budget of one store request: it is cancelled when the store makes no progress for the request timeout, that is
/// when no byte of the body was read by the SDK (so, sent) for that long, or, once the body is sent, when no answer came
/// within it. A slow link that keeps sending never times out; a black hole fails after the timeout, not after the SDK's
/// own minutes of network timeouts and retries. <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idle;

    public RequestDeadline(TimeSpan idle, CancellationToken cancellationToken)
    {
        _idle = idle;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (idle != Timeout.InfiniteTimeSpan)
        {
            _cts.CancelAfter(idle);
        }
    }

    /// <summary>Cancelled by the caller's token or when the budget runs out.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Whether the budget ran out (rather than the caller cancelling).</summary>
    public bool Expired(CancellationToken cancellationToken) => _cts.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

    /// <summary>The body, wrapped so that each read restarts the budget.</summary>
    public Stream Watch(Stream body) => _idle == Timeout.InfiniteTimeSpan ? body : new ProgressStream(body, this);

    public void Dispose() => _cts.Dispose();

    private void Touch()
    {
        try
        {
            _cts.CancelAfter(_idle);
        }
        catch (ObjectDisposedException)
        {
            // The request is over.
        }
    }

    /// <summary>Passes everything through (seeking included, for SDKs that sign or retry) and restarts the budget on each read.</summary>
    private sealed class ProgressStream(Stream inner, RequestDeadline deadline) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            deadline.Touch();
            return inner.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            deadline.Touch();
            return inner.ReadAsync(buffer, cancellationToken);
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException("This stream is read-only.");

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("This stream is read-only.");
    }
}
