namespace AlchemyTypes.Storage;

/// <summary>
/// Thrown when an upload was accepted by the store but what the store holds is not what was sent: another size, or a checksum
/// the store computed (S3's ETag, Azure's Content-MD5) that differs from the one computed while sending. The backend has
/// removed the object (unless <see cref="ObjectRemoved"/> is false) and a <c>SaveChanges</c> that hit it committed nothing.
/// Retrying is pointless while the cause stays: it is usually a client setting the store does not understand (for example
/// the AWS SDK's <c>aws-chunked</c> encoding on a store that keeps the chunk framing as content) or a faulty proxy.
/// </summary>
public sealed class StorageIntegrityException : StorageException
{
    /// <summary>Creates an exception with no message.</summary>
    public StorageIntegrityException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What differed and what to do about it.</param>
    public StorageIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What differed and what to do about it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public StorageIntegrityException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The key of the object that was uploaded.</summary>
    public string? Key { get; init; }

    /// <summary>How many bytes were sent.</summary>
    public long SentBytes { get; init; }

    /// <summary>How many bytes the store says it holds, when it said.</summary>
    public long? StoredBytes { get; init; }

    /// <summary>The checksum of what was sent, in the store's form (an MD5 ETag, a Base64 Content-MD5), when one was compared.</summary>
    public string? SentChecksum { get; init; }

    /// <summary>The checksum the store reported for what it holds, when one was compared.</summary>
    public string? StoredChecksum { get; init; }

    /// <summary>
    /// Whether no object is left under <see cref="Key"/>: the mismatched object was removed, or (a part stored wrong) never
    /// committed. False when removing it failed too; the message says what is left. Parts a store could not abort are named in the message.
    /// </summary>
    public bool ObjectRemoved { get; init; } = true;
}
