using System.Net;
using AlchemyTypes.Shared.Integrity;
using AlchemyTypes.Shared.Transfers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace AlchemyTypes.Storage.S3;

/// <summary>
/// One object's upload to S3 for the shared <see cref="ChunkedUploader"/>: one PutObject, or a multipart upload
/// (initiate, upload parts, complete; abort to clean up). A body whose MD5 is known before sending carries it as
/// <c>Content-MD5</c>, which S3 checks; each part's ETag is compared with its MD5 as it is answered (unless the store's ETags
/// are not MD5s: SSE-KMS, SSE-C, or <see cref="S3StorageOptions.VerifyETags"/> off).
/// </summary>
internal sealed class S3MultipartTarget(IAmazonS3 client, string bucket, string objectKey, S3StorageOptions settings, StorageUploadOptions upload)
    : IChunkedUploadTarget<S3MultipartTarget.Stored>
{
    private readonly List<PartETag> _parts = [];
    private string? _uploadId;

    public string ChunkedOperation => "multipart upload";

    public string LeftOverMessage
        => $"The multipart upload {_uploadId} could not be aborted within {settings.AbortTimeout.TotalSeconds:0} s: "
            + "abort it, or let a lifecycle rule for incomplete multipart uploads remove it.";

    private string ContentType => upload.ContentType ?? "application/octet-stream";

    // If-None-Match: * on the write itself, so that an object created concurrently is never replaced.
    private string? IfNoneMatch => !upload.Overwrite && settings.UseConditionalWrites ? "*" : null;

    public async Task<Stored> PutSingleAsync(Stream body, long length, byte[]? md5, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = objectKey,
            InputStream = body,
            AutoCloseStream = false,
            AutoResetStreamPosition = false, // the content starts at the caller's position, not at 0
            ContentType = ContentType,
            UseChunkEncoding = settings.UseChunkEncoding,
            IfNoneMatch = IfNoneMatch,
            MD5Digest = md5 is null ? null : Convert.ToBase64String(md5),
        };
        request.Headers.ContentLength = length;
        AddMetadata(request.Metadata);
        var response = await client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        return new Stored(response.ETag, response.VersionId, S3ETags.AreMd5(settings, response.ServerSideEncryptionMethod,
            response.ServerSideEncryptionCustomerMethod));
    }

    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = bucket, Key = objectKey, ContentType = ContentType };
        AddMetadata(initiate.Metadata);
        _uploadId = (await client.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false)).UploadId;
    }

    public async Task UploadPartAsync(int partNumber, Stream body, byte[] md5, CancellationToken cancellationToken)
    {
        var request = new UploadPartRequest
        {
            BucketName = bucket,
            Key = objectKey,
            UploadId = _uploadId,
            PartNumber = partNumber,
            InputStream = body,
            PartSize = body.Length,
            UseChunkEncoding = settings.UseChunkEncoding,
            MD5Digest = Convert.ToBase64String(md5),
        };
        var response = await client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
        if (S3ETags.AreMd5(settings, response.ServerSideEncryptionMethod, null)
            && S3ETags.Of(md5) is var expected && !S3ETags.Same(expected, response.ETag))
        {
            throw new ChecksumMismatchException($"The ETag S3 computed for part {partNumber}", expected, response.ETag ?? "none");
        }

        lock (_parts)
        {
            _parts.Add(new PartETag(partNumber, response.ETag));
        }
    }

    public async Task<Stored> CommitAsync(int partCount, UploadDigest sent, CancellationToken cancellationToken)
    {
        _parts.Sort((a, b) => a.PartNumber!.Value.CompareTo(b.PartNumber!.Value));
        var complete = new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = objectKey,
            UploadId = _uploadId,
            PartETags = _parts,
            IfNoneMatch = IfNoneMatch,
        };
        var completed = await client.CompleteMultipartUploadAsync(complete, cancellationToken).ConfigureAwait(false);
        return new Stored(completed.ETag, completed.VersionId, S3ETags.AreMd5(settings, completed.ServerSideEncryptionMethod, null));
    }

    public async Task<bool> CleanUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            var abort = new AbortMultipartUploadRequest { BucketName = bucket, Key = objectKey, UploadId = _uploadId };
            await client.AbortMultipartUploadAsync(abort, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return true; // NoSuchUpload: nothing left
        }
        catch (AmazonServiceException ex) when ((ex.StatusCode != 0 && (int)ex.StatusCode < 500) || ex.StatusCode == HttpStatusCode.NotImplemented)
        {
            // Refused for good (s3rver answers 405: it does not implement AbortMultipartUpload); retrying cannot help.
            return false;
        }
    }

    private void AddMetadata(MetadataCollection target)
    {
        foreach (var (name, value) in upload.Metadata ?? new Dictionary<string, string>())
        {
            target[name] = value;
        }
    }

    /// <summary>What S3 answered to the completed write.</summary>
    /// <param name="ETag">The ETag answered.</param>
    /// <param name="VersionId">The version id, where versioning is on.</param>
    /// <param name="ETagIsMd5">Whether the ETag is an MD5 digest (of the content, or of the parts' MD5s for a multipart upload).</param>
    internal sealed record Stored(string? ETag, string? VersionId, bool ETagIsMd5);
}
