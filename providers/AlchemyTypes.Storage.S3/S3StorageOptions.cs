using AlchemyTypes.Shared.Transfers;

namespace AlchemyTypes.Storage.S3;

/// <summary>How an <see cref="S3StorageBackend"/> uses its bucket. A property bag: set what you need, then the backend validates it.</summary>
public sealed class S3StorageOptions
{
    /// <summary>The smallest part S3 accepts (except the last one): 5 MiB.</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>The largest part this backend buffers: 512 MiB (S3 itself allows 5 GiB).</summary>
    public const int MaximumPartSize = 512 * 1024 * 1024;

    /// <summary>The bucket. Required.</summary>
    public string? BucketName { get; set; }

    /// <summary>
    /// A prefix put before every key (<c>tenant-a/</c>, say), so several applications can share a bucket. It obeys the key
    /// rules and ends with '/', or is null for none.
    /// </summary>
    public string? KeyPrefix { get; set; }

    /// <summary>
    /// The default <see cref="MultipartThreshold"/>: 64 MiB. Measured on the test server, 64 MiB as 8 MiB parts took
    /// 1.34–1.41 times one PutObject; up to this size one PUT straight from a seekable stream is faster and costs no
    /// buffer. Measure your store with the <c>UploadThresholdBenchmarks</c> (docs/performance.md, "Benchmarks").
    /// </summary>
    public const int DefaultMultipartThreshold = 64 * 1024 * 1024;

    /// <summary>
    /// Content of known length (a seekable stream) up to this many bytes goes up in one PUT, sent straight from the stream
    /// without buffering; longer content as a multipart upload. Content of unknown length (a non-seekable stream) goes in
    /// one PUT when it ends within the first part (<see cref="PartSize"/>) and is at most this long; otherwise as a multipart
    /// upload, so that it is never buffered whole. 0 makes every upload multipart. Default
    /// <see cref="DefaultMultipartThreshold"/>.
    /// </summary>
    public int? MultipartThreshold { get; set; }

    /// <summary>
    /// The clock for signed-URL expiry and the abort deadline (<see cref="TimeProvider.System"/> by default; configuration
    /// registration takes the <see cref="System.TimeProvider"/> registered in the service provider, if any).
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The size of each multipart part, 8 MiB by default, from <see cref="MinimumPartSize"/> to
    /// <see cref="MaximumPartSize"/>. Each part being read or sent is one buffer of this size: the buffers take
    /// <c>PartSize × MaxConcurrency</c> whatever the object size (docs/storage-backends.md has the measured total). S3 allows 10,000 parts,
    /// so 8 MiB parts cap an
    /// object at about 78 GiB; raise it for larger ones.
    /// </summary>
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many parts of one upload are read or sent at once (1 to 16, default 4).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Whether PUT bodies use the SDK's <c>aws-chunked</c> encoding (the SDK default, true). Set false for s3rver and some
    /// S3-compatible stores that store the chunk framing as content; the SDK then hashes each (buffered, bounded) part
    /// before sending it. Pair it with <c>RequestChecksumCalculation.WHEN_REQUIRED</c> on the client's <c>AmazonS3Config</c>.
    /// </summary>
    public bool UseChunkEncoding { get; set; } = true;

    /// <summary>
    /// Whether uploads that must not overwrite send <c>If-None-Match: *</c> (true by default; Amazon S3 and MinIO honour
    /// it, so an object created concurrently is never replaced). The backend also checks with a HEAD request before
    /// uploading, which is all that protects a store without conditional writes (s3rver): there, a concurrent writer
    /// between the check and the write can still be overwritten. Set false for stores that reject the header.
    /// </summary>
    public bool UseConditionalWrites { get; set; } = true;

    /// <summary>
    /// How long one request to the store may go without progress before the backend gives up on it (30 seconds by default):
    /// no byte of its body sent for that long, or no answer that long after the body. It bounds the SDK's own network timeouts
    /// and retries (the SDKs' defaults let an unreachable store hold a save for minutes: 85–100 s measured on Azure). A slow
    /// link that keeps sending never times out. A request that times out fails with a transient
    /// <see cref="StorageRequestFailedException"/>. <see cref="Timeout.InfiniteTimeSpan"/> leaves only the SDK's limits
    /// (docs/faults-and-load.md).
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether uploads compare the ETag S3 answers with the MD5 of what was sent (true by default): the MD5 of the content for
    /// one PUT, of each part for a part, and the MD5 of the parts' MD5s plus <c>-N</c> for a completed multipart upload.
    /// Objects encrypted with SSE-KMS or SSE-C (whose ETags are not MD5s) are recognised from S3's answer and skipped. Set
    /// false only for an S3-compatible store whose ETags are not MD5 digests; the size S3 reports is compared either way
    /// (docs/integrity.md).
    /// </summary>
    public bool VerifyETags { get; set; } = true;

    /// <summary>
    /// How long a failed or cancelled multipart upload keeps trying to abort itself (30 seconds by default), so a store
    /// that is briefly unreachable does not keep the uploaded parts. When even that fails, the error says which upload id
    /// to abort (or let a bucket lifecycle rule for incomplete multipart uploads remove it).
    /// </summary>
    public TimeSpan AbortTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The threshold in force: <see cref="MultipartThreshold"/> or <see cref="DefaultMultipartThreshold"/>.</summary>
    internal int EffectiveMultipartThreshold => MultipartThreshold ?? DefaultMultipartThreshold;

    /// <summary>Checks the options.</summary>
    /// <exception cref="AlchemyTypesConfigurationException">A value is missing or out of range; the message says which.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BucketName))
        {
            throw new AlchemyTypesConfigurationException("S3StorageOptions.BucketName is required: name the bucket that holds the files.");
        }

        TransferOptionRules.Validate(
            nameof(S3StorageOptions), KeyPrefix, (nameof(MultipartThreshold), MultipartThreshold), MaxConcurrency, (nameof(AbortTimeout),
                AbortTimeout), RequestTimeout, TimeProvider);
        if (PartSize is < MinimumPartSize or > MaximumPartSize)
        {
            throw new AlchemyTypesConfigurationException($"S3StorageOptions.PartSize is {PartSize}; use {MinimumPartSize} (5 MiB, the S3 "
                + $"minimum) to {MaximumPartSize} bytes.");
        }
    }

    /// <summary>A copy, so that later changes to the caller's options do not reach a backend.</summary>
    internal S3StorageOptions Clone() => (S3StorageOptions)MemberwiseClone();
}
