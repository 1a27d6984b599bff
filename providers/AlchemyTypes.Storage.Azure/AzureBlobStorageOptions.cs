using AlchemyTypes.Shared.Transfers;

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
    /// The size of each staged block, 8 MiB by default (64 KiB to <see cref="MaximumTransferSize"/>). Each block
    /// being read or staged is one buffer of this size: the buffers take <c>TransferSize × MaxConcurrency</c> whatever the
    /// blob size (docs/storage-backends.md has the measured total). Azure allows 50,000 blocks, so 8 MiB blocks cap a blob at about 390 GiB.
    /// </summary>
    public int TransferSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Content of known length (a seekable stream) up to this many bytes goes up in one Put Blob request, sent straight from
    /// the stream without buffering; longer content as staged blocks. Content of unknown length (a non-seekable stream)
    /// goes in one request when it ends within the first block (<see cref="TransferSize"/>) and is at most this long. 0
    /// makes every upload use blocks. Default: <see cref="TransferSize"/> (measured: at 64 MiB, blocks staged four at a time
    /// took 0.64 times the SDK's one-request upload; docs/storage-backends.md).
    /// </summary>
    public int? InitialTransferSize { get; set; }

    /// <summary>
    /// The clock for SAS expiry and the clean-up deadline (<see cref="TimeProvider.System"/> by default; configuration
    /// registration takes the <see cref="System.TimeProvider"/> registered in the service provider, if any).
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How many blocks of one upload are read or staged at once (1 to 16, default 4), synchronous uploads included.</summary>
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

    /// <summary>
    /// How long one request to the store may go without progress before the backend gives up on it (30 seconds by default):
    /// no byte of its body sent for that long, or no answer that long after the body. It bounds the SDK's own network timeouts
    /// and retries (the SDKs' defaults let an unreachable store hold a save for minutes: 85–100 s measured on Azure). A slow
    /// link that keeps sending never times out. A request that times out fails with a transient
    /// <see cref="StorageRequestFailedException"/>. <see cref="Timeout.InfiniteTimeSpan"/> leaves only the SDK's limits
    /// (docs/faults-and-load.md).
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The single-request threshold in force.</summary>
    internal int EffectiveInitialTransferSize => InitialTransferSize ?? TransferSize;

    /// <summary>Checks the options.</summary>
    /// <exception cref="AlchemyTypesConfigurationException">A value is out of range; the message says which.</exception>
    public void Validate()
    {
        TransferOptionRules.Validate(
            nameof(AzureBlobStorageOptions), KeyPrefix, (nameof(InitialTransferSize), InitialTransferSize), MaxConcurrency,
                (nameof(CleanupTimeout), CleanupTimeout), RequestTimeout, TimeProvider);

        if (TransferSize is < 64 * 1024 or > MaximumTransferSize)
        {
            throw new AlchemyTypesConfigurationException($"AzureBlobStorageOptions.TransferSize is {TransferSize}; use 65536 (64 KiB) to "
                + $"{MaximumTransferSize} bytes.");
        }

        if (MaxParallelDeletes is < 1 or > 64)
        {
            throw new AlchemyTypesConfigurationException($"AzureBlobStorageOptions.MaxParallelDeletes is {MaxParallelDeletes}; use 1 to 64.");
        }
    }

    /// <summary>A copy, so that later changes to the caller's options do not reach a backend.</summary>
    internal AzureBlobStorageOptions Clone() => (AzureBlobStorageOptions)MemberwiseClone();
}
