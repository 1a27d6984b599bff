using System.Security.Cryptography;
using AlchemyTypes.Shared.Integrity;
using Amazon.S3;

namespace AlchemyTypes.Storage.S3;

/// <summary>
/// What S3's ETags say about content: for an object stored in one request without SSE-KMS or SSE-C, the hex MD5 of its bytes;
/// for a multipart upload, the hex MD5 of its parts' binary MD5s followed by <c>-</c> and the number of parts.
/// </summary>
internal static class S3ETags
{
    /// <summary>Whether ETags of this response can be compared with MD5s: verification is on and no KMS or customer key encrypted the object.</summary>
    public static bool AreMd5(S3StorageOptions settings, ServerSideEncryptionMethod? method, ServerSideEncryptionCustomerMethod? customer)
    {
        if (!settings.VerifyETags)
        {
            return false;
        }

        var kms = method?.Value is { } value && value.StartsWith("aws:kms", StringComparison.OrdinalIgnoreCase);
        var customerKey = customer?.Value is { Length: > 0 } c && !string.Equals(c, "None", StringComparison.OrdinalIgnoreCase);
        return !kms && !customerKey;
    }

    /// <summary>The ETag of content whose MD5 is <paramref name="md5"/>.</summary>
    public static string Of(byte[] md5) => Convert.ToHexStringLower(md5);

    /// <summary>The ETag S3 gives an object stored as <paramref name="sent"/>, or null when it cannot be known (an unhashed single request).</summary>
    public static string? Of(UploadDigest sent)
    {
        if (sent.PartMd5s is { } parts)
        {
            var all = new byte[parts.Count * 16];
            for (var i = 0; i < parts.Count; i++)
            {
                parts[i].CopyTo(all, i * 16);
            }

#pragma warning disable CA5351 // MD5 here is S3's ETag algorithm, compared for integrity, not used for security.
            return Convert.ToHexStringLower(MD5.HashData(all)) + "-" + parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
#pragma warning restore CA5351
        }

        return sent.ContentMd5 is { } md5 ? Of(md5) : null;
    }

    /// <summary>Whether <paramref name="etag"/> has S3's multipart form (<c>hex-N</c>).</summary>
    public static bool IsMultipartForm(string? etag) => etag is not null && etag.Trim('"').Contains('-', StringComparison.Ordinal);

    /// <summary>Whether <paramref name="etag"/> (quoted or not, any case) is <paramref name="expected"/>.</summary>
    public static bool Same(string expected, string? etag)
        => etag is not null && string.Equals(expected, etag.Trim().Trim('"'), StringComparison.OrdinalIgnoreCase);
}
