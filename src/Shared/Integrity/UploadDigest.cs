namespace AlchemyTypes.Shared.Integrity;

/// <summary>
/// What an upload sent, computed while sending: the byte count and the MD5 of the whole content (one request) or of each
/// part (a chunked upload). A backend compares it with what the store answered (S3's ETag, Azure's Content-MD5) and with
/// the size the store reports.
/// </summary>
internal sealed class UploadDigest
{
    private UploadDigest(long size, byte[]? contentMd5, IReadOnlyList<byte[]>? partMd5s)
    {
        Size = size;
        ContentMd5 = contentMd5;
        PartMd5s = partMd5s;
    }

    /// <summary>How many bytes were sent.</summary>
    public long Size { get; }

    /// <summary>The MD5 of the whole content, when it went in one request and was hashed on the way (null otherwise).</summary>
    public byte[]? ContentMd5 { get; }

    /// <summary>The MD5 of each part in order, for a chunked upload (null for one request).</summary>
    public IReadOnlyList<byte[]>? PartMd5s { get; }

    /// <summary>A single request, with its MD5 when it was known.</summary>
    public static UploadDigest Single(long size, byte[]? md5) => new(size, md5, null);

    /// <summary>A chunked upload of <paramref name="partMd5s"/>.Count parts.</summary>
    public static UploadDigest Parts(long size, IReadOnlyList<byte[]> partMd5s) => new(size, null, partMd5s);
}
