namespace AlchemyTypes.Storage.Azure;

/// <summary>How an <see cref="AzureBlobStorageBackend"/> uses its container. A property bag: set what you need, then the backend validates it.</summary>
public sealed class AzureBlobStorageOptions
{
    /// <summary>The largest block this backend buffers: 256 MiB (Azure allows 4,000 MiB).</summary>
    public const int MaximumTransferSize = 256 * 1024 * 1024;

    /// <summary>The most sub-requests one Blob Batch request takes.</summary>
    public const int MaxBatchSize = 256;

    /// <summary>
    /// The container name, read by configuration (<c>AddAzureBlobType</c>) with <c>ConnectionString</c>, <c>ServiceUri</c> or a
    /// registered <c>BlobServiceClient</c>. The constructors take the container directly and ignore it.
    /// </summary>
    public string? ContainerName { get; set; }

    /// <summary>
    /// A prefix put before every blob name (<c>tenant-a/</c>, say), so several applications can share a container. It
    /// obeys the key rules and ends with '/', or is null for none.
    /// </summary>
    public string? KeyPrefix { get; set; }

    /// <summary>
    /// The size of each staged block, 8 MiB by default (64 KiB to <see cref="MaximumTransferSize"/>). Each block in
    /// flight is one buffer of this size: memory stays about <c>TransferSize × (MaxConcurrency + 1)</c> whatever the
    /// blob size. Azure allows 50,000 blocks, so 8 MiB blocks cap a blob at about 390 GiB.
    /// </summary>
    public int TransferSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Content up to this size goes up in one Put Blob request; larger content as staged blocks. At most <see cref="TransferSize"/> (default: equal to it).</summary>
    public int? InitialTransferSize { get; set; }

    /// <summary>How many blocks of one upload are staged at once (1 to 16, default 4). Synchronous uploads stage one at a time.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Whether <see cref="AzureBlobStorageBackend.DeleteManyAsync"/> uses Blob Batch (256 deletes a request; true by
    /// default). When the service refuses batches, the backend falls back to parallel single deletes, and remembers.
    /// </summary>
    public bool UseBatchDelete { get; set; } = true;

    /// <summary>How many single deletes run at once when batches are off or refused (1 to 64, default 16).</summary>
    public int MaxParallelDeletes { get; set; } = 16;

    /// <summary>
    /// How long a failed or cancelled block upload keeps trying to discard its uncommitted blocks (30 seconds by
    /// default), so a service that is briefly unreachable does not keep them. Azure also discards uncommitted blocks
    /// after 7 days.
    /// </summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The single-request threshold in force.</summary>
    internal int EffectiveInitialTransferSize => InitialTransferSize ?? TransferSize;

    /// <summary>Checks the options.</summary>
    /// <exception cref="AlchemyTypesConfigurationException">A value is out of range; the message says which.</exception>
    public void Validate()
    {
        if (KeyPrefix is not null && (!KeyPrefix.EndsWith('/') || !StorageKey.IsValid(KeyPrefix.TrimEnd('/'))))
        {
            throw new AlchemyTypesConfigurationException(
                $"AzureBlobStorageOptions.KeyPrefix '{KeyPrefix}' is not valid: it must obey the storage key rules and end with '/', like 'tenant-a/files/'.");
        }

        if (TransferSize is < 64 * 1024 or > MaximumTransferSize)
        {
            throw new AlchemyTypesConfigurationException($"AzureBlobStorageOptions.TransferSize is {TransferSize}; use 65536 (64 KiB) to {MaximumTransferSize} bytes.");
        }

        if (InitialTransferSize is { } initial && (initial < 0 || initial > TransferSize))
        {
            throw new AlchemyTypesConfigurationException($"AzureBlobStorageOptions.InitialTransferSize is {initial}; use 0 to TransferSize ({TransferSize}) bytes.");
        }

        if (MaxConcurrency is < 1 or > 16)
        {
            throw new AlchemyTypesConfigurationException($"AzureBlobStorageOptions.MaxConcurrency is {MaxConcurrency}; use 1 to 16.");
        }

        if (MaxParallelDeletes is < 1 or > 64)
        {
            throw new AlchemyTypesConfigurationException($"AzureBlobStorageOptions.MaxParallelDeletes is {MaxParallelDeletes}; use 1 to 64.");
        }

        if (CleanupTimeout < TimeSpan.Zero)
        {
            throw new AlchemyTypesConfigurationException("AzureBlobStorageOptions.CleanupTimeout must not be negative.");
        }
    }

    /// <summary>A copy, so that later changes to the caller's options do not reach a backend.</summary>
    internal AzureBlobStorageOptions Clone() => (AzureBlobStorageOptions)MemberwiseClone();
}
