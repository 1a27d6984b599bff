namespace AlchemyTypes.Shared.Transfers;

/// <summary>
/// What one store does for one chunked upload (one object); <see cref="ChunkedUploader"/> does the rest: reading the
/// source into parts, the in-flight limit, failure cause selection and clean-up with retries.
/// </summary>
/// <typeparam name="TResult">What the store answers to a completed write.</typeparam>
internal interface IChunkedUploadTarget<TResult>
{
    /// <summary>The operation's name in messages ("multipart upload", "block upload").</summary>
    string ChunkedOperation { get; }

    /// <summary>What is appended to an error when the clean-up did not finish: what is left and how it goes away.</summary>
    string LeftOverMessage { get; }

    /// <summary>
    /// Writes the whole object in one request from <paramref name="body"/>, positioned at its first byte. <paramref name="md5"/>
    /// is the body's MD5 when it is known before sending (a buffered body), for the store to check; null when the body is the
    /// caller's stream (hashed while it is sent: the backend compares afterwards).
    /// </summary>
    Task<TResult> PutSingleAsync(Stream body, long length, byte[]? md5, CancellationToken cancellationToken);

    /// <summary>Starts a chunked upload (S3: initiate the multipart upload); nothing to do where the store needs no start.</summary>
    Task BeginAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends part <paramref name="partNumber"/> (from 1) from <paramref name="body"/>, whose MD5 is <paramref name="md5"/>, and
    /// records what commit needs. Throws <see cref="Integrity.ChecksumMismatchException"/> when the store's answer shows it
    /// stored other bytes.
    /// </summary>
    Task UploadPartAsync(int partNumber, Stream body, byte[] md5, CancellationToken cancellationToken);

    /// <summary>Makes parts 1 to <paramref name="partCount"/>, all sent (<paramref name="sent"/> has their MD5s), the object.</summary>
    Task<TResult> CommitAsync(int partCount, Integrity.UploadDigest sent, CancellationToken cancellationToken);

    /// <summary>
    /// One attempt at removing what a failed upload sent (called only after <see cref="BeginAsync"/> succeeded): true when
    /// nothing is left, false when the store refused for good (a retry cannot help). A service failure it throws is retried
    /// until the clean-up timeout.
    /// </summary>
    Task<bool> CleanUpAsync(CancellationToken cancellationToken);
}
