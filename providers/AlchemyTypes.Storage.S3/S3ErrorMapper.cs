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

    protected override bool IsExistsConflict(int status, string? errorCode) => status == 412 || (status == 409 && errorCode == "ConditionalRequestConflict");
}
