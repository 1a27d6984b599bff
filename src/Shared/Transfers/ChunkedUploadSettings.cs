namespace AlchemyTypes.Shared.Transfers;

/// <summary>How a <see cref="ChunkedUploader"/> cuts content into parts, how many it sends at once and how long it cleans up.</summary>
/// <param name="PartSize">The size of every part but the last; also the size of each buffer.</param>
/// <param name="MaxConcurrency">How many parts are read or sent at once; also the most buffers one upload holds.</param>
/// <param name="SingleRequestThreshold">
/// Content of known length (a seekable stream) up to this many bytes goes in one request, sent straight from the caller's
/// stream without buffering. Content of unknown length goes in one request when it ends inside the first part and is at
/// most this long.
/// </param>
/// <param name="MaxParts">The store's limit on the number of parts of one object.</param>
/// <param name="PartSizeOption">The option a user raises when content exceeds <paramref name="MaxParts"/> parts (for the message).</param>
/// <param name="CleanupTimeout">How long a failed upload keeps trying to remove what it sent.</param>
/// <param name="TimeProvider">The clock for the clean-up deadline and back-off.</param>
/// <param name="RequestTimeout">How long one request may go without progress (see <see cref="RequestDeadline"/>).</param>
internal sealed record ChunkedUploadSettings(
    int PartSize,
    int MaxConcurrency,
    long SingleRequestThreshold,
    int MaxParts,
    string PartSizeOption,
    TimeSpan CleanupTimeout,
    TimeProvider TimeProvider,
    TimeSpan RequestTimeout);
