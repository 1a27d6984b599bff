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

    protected override bool IsExistsConflict(int status, string? errorCode)
        => status == 412 || (status == 409 && errorCode == BlobErrorCode.BlobAlreadyExists.ToString());

    // The SDK's retries end in an AggregateException of every attempt's failure: the last one says what happened.
    protected override Exception Unwrap(Exception ex) => ex is AggregateException aggregate ? aggregate.InnerExceptions.LastOrDefault() ?? ex : ex;
}
