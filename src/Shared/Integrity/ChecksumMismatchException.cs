using AlchemyTypes.Storage;

namespace AlchemyTypes.Shared.Integrity;

/// <summary>
/// Thrown by an upload target when the store's answer to one request (a part, a block, a whole object) shows that it holds
/// other bytes than were sent; the shared chunked uploader and the backends turn it into a
/// <see cref="StorageIntegrityException"/> naming the key once what was sent is removed.
/// </summary>
/// <param name="what">What was compared ("part 3's ETag", "Content-MD5").</param>
/// <param name="sent">The checksum of what was sent, in the store's form.</param>
/// <param name="stored">The checksum the store answered.</param>
internal sealed class ChecksumMismatchException(string what, string sent, string stored)
    : Exception($"{what} is {stored} but what was sent has {sent}")
{
    public string Sent => sent;

    public string Stored => stored;
}
