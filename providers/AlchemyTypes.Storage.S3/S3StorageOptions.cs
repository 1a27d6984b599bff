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
    /// Content longer than this goes up as a multipart upload; shorter content in one PUT. At most <see cref="PartSize"/>
    /// (default: equal to it).
    /// </summary>
    public int? MultipartThreshold { get; set; }

    /// <summary>
    /// The size of each multipart part, 8 MiB by default, from <see cref="MinimumPartSize"/> to
    /// <see cref="MaximumPartSize"/>. Each part in flight is one buffer of this size: memory stays about
    /// <c>PartSize × (MaxConcurrency + 1)</c> whatever the object size. S3 allows 10,000 parts, so 8 MiB parts cap an
    /// object at about 78 GiB; raise it for larger ones.
    /// </summary>
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many parts of one upload are sent at once (1 to 16, default 4).</summary>
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
    /// How long a failed or cancelled multipart upload keeps trying to abort itself (30 seconds by default), so a store
    /// that is briefly unreachable does not keep the uploaded parts. When even that fails, the error says which upload id
    /// to abort (or let a bucket lifecycle rule for incomplete multipart uploads remove it).
    /// </summary>
    public TimeSpan AbortTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The threshold in force: <see cref="MultipartThreshold"/> or <see cref="PartSize"/>.</summary>
    internal int EffectiveMultipartThreshold => MultipartThreshold ?? PartSize;

    /// <summary>Checks the options.</summary>
    /// <exception cref="AlchemyTypesConfigurationException">A value is missing or out of range; the message says which.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BucketName))
        {
            throw new AlchemyTypesConfigurationException("S3StorageOptions.BucketName is required: name the bucket that holds the files.");
        }

        if (KeyPrefix is not null && (!KeyPrefix.EndsWith('/') || !StorageKey.IsValid(KeyPrefix.TrimEnd('/'))))
        {
            throw new AlchemyTypesConfigurationException(
                $"S3StorageOptions.KeyPrefix '{KeyPrefix}' is not valid: it must obey the storage key rules and end with '/', like 'tenant-a/files/'.");
        }

        if (PartSize is < MinimumPartSize or > MaximumPartSize)
        {
            throw new AlchemyTypesConfigurationException($"S3StorageOptions.PartSize is {PartSize}; use {MinimumPartSize} (5 MiB, the S3 minimum) to {MaximumPartSize} bytes.");
        }

        if (MultipartThreshold is { } threshold && (threshold < 0 || threshold > PartSize))
        {
            throw new AlchemyTypesConfigurationException($"S3StorageOptions.MultipartThreshold is {threshold}; use 0 to PartSize ({PartSize}) bytes.");
        }

        if (MaxConcurrency is < 1 or > 16)
        {
            throw new AlchemyTypesConfigurationException($"S3StorageOptions.MaxConcurrency is {MaxConcurrency}; use 1 to 16.");
        }

        if (AbortTimeout < TimeSpan.Zero)
        {
            throw new AlchemyTypesConfigurationException("S3StorageOptions.AbortTimeout must not be negative.");
        }
    }

    /// <summary>A copy, so that later changes to the caller's options do not reach a backend.</summary>
    internal S3StorageOptions Clone() => (S3StorageOptions)MemberwiseClone();
}
