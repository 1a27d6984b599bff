using AlchemyTypes.Shared.Errors;
using Amazon.Runtime;
using Amazon.S3;

namespace AlchemyTypes.Storage.S3;

/// <summary>How the AWS SDK reports failures, for the shared <see cref="StoreErrorMapper"/>.</summary>
internal sealed class S3ErrorMapper(string bucket, string store) : StoreErrorMapper(
    "S3",
    store,
    (
        "Check the client's credentials and the bucket policy.",
        $"Create the bucket '{bucket}' or fix BucketName.",
        "Check the client's ServiceURL or region and that the store is up."))
{
    protected override bool IsSdkFailure(Exception ex) => ex is AmazonServiceException or AmazonClientException;

    protected override ServiceStatus? Describe(Exception ex)
        => ex is AmazonServiceException { StatusCode: not 0 } service
            ? new ServiceStatus((int)service.StatusCode, service.ErrorCode, $"{service.ErrorCode}: {service.Message}")
            : null;

    // NoSuchUpload is a 404 about a multipart upload, not about the object.
    protected override bool IsContainerMissing(string? errorCode) => errorCode is "NoSuchBucket" or "NoSuchUpload";

    public override string IntegrityHint
        => "An S3-compatible store that does not decode the AWS SDK's aws-chunked bodies (s3rver, some MinIO and Ceph versions) keeps the "
            + "chunk framing as content: set S3StorageOptions.UseChunkEncoding = false and RequestChecksumCalculation = WHEN_REQUIRED on the "
            + "client's AmazonS3Config. A store whose ETags are not MD5 digests needs S3StorageOptions.VerifyETags = false.";

    protected override bool IsChecksumRefusal(string? errorCode, string message)
        => errorCode is "BadDigest" or "XAmzContentChecksumMismatch" or "XAmzContentSHA256Mismatch";

    protected override bool IsExistsConflict(int status, string? errorCode) => status == 412 || (status == 409 && errorCode == "ConditionalRequestConflict");
}
