using AlchemyTypes.Shared.Errors;
using Azure;
using Azure.Storage.Blobs.Models;

namespace AlchemyTypes.Storage.Azure;

/// <summary>How the Azure SDK reports failures, for the shared <see cref="StoreErrorMapper"/>.</summary>
internal sealed class AzureErrorMapper(string containerName, string store) : StoreErrorMapper(
    "Azure Blob",
    store,
    (
        "Check the credential (key, SAS permissions and expiry, or role assignment).",
        $"Create the container '{containerName}' or fix its name.",
        "Check the endpoint and that the service is up."))
{
    protected override bool IsSdkFailure(Exception ex) => ex is RequestFailedException or AggregateException;

    protected override ServiceStatus? Describe(Exception ex)
        => ex is RequestFailedException { Status: > 0 } service ? new ServiceStatus(service.Status, service.ErrorCode, service.ErrorCode ?? "") : null;

    protected override bool IsContainerMissing(string? errorCode) => errorCode == BlobErrorCode.ContainerNotFound.ToString();

    public override string IntegrityHint => "Check for a proxy between the application and the service that alters request bodies.";

    // Azure answers Md5Mismatch (or Crc64Mismatch); Azurite answers 400 InvalidOperation "Provided contentMD5 doesn't match."
    protected override bool IsChecksumRefusal(string? errorCode, string message)
        => errorCode == BlobErrorCode.Md5Mismatch.ToString() || errorCode == "Crc64Mismatch"
            || (errorCode == "InvalidOperation" && message.Contains("contentMD5 doesn't match", StringComparison.OrdinalIgnoreCase));

    protected override bool IsExistsConflict(int status, string? errorCode)
        => status == 412 || (status == 409 && errorCode == BlobErrorCode.BlobAlreadyExists.ToString());

    // The SDK's retries end in an AggregateException of every attempt's failure: the last one says what happened.
    protected override Exception Unwrap(Exception ex) => ex is AggregateException aggregate ? aggregate.InnerExceptions.LastOrDefault() ?? ex : ex;
}
