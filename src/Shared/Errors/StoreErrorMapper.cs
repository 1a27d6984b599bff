using AlchemyTypes.Storage;

namespace AlchemyTypes.Shared.Errors;

/// <summary>
/// Turns an SDK failure into the storage contract's typed exceptions, the same way for every cloud provider: a 404 is
/// <see cref="StorageObjectNotFoundException"/> (unless the container itself is missing), a 416
/// <see cref="StorageRangeException"/>, a refused "already exists" write <see cref="StorageObjectExistsException"/>,
/// anything else the store answered or could not be reached for <see cref="StorageRequestFailedException"/> with the
/// status, error code and whether a retry can help. A provider says only how its SDK reports these.
/// </summary>
/// <param name="service">The service name at the start of messages ("S3", "Azure Blob").</param>
/// <param name="store">The backend's description (its <c>ToString()</c>).</param>
/// <param name="hints">
/// What to check when the store answers 403, what to do when the bucket or container is missing, what to check when the store
/// cannot be reached.
/// </param>
internal abstract class StoreErrorMapper(string service, string store, (string Forbidden, string ContainerMissing, string Unreachable) hints)
{
    /// <summary>The backend's description, as messages name it.</summary>
    public string Store => store;

    /// <summary>Whether <paramref name="ex"/> is a failure of the store or of the way to it (not a bug, not the caller's cancellation).</summary>
    public bool IsServiceFailure(Exception ex, CancellationToken cancellationToken)
        => IsSdkFailure(ex) || ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>Whether <paramref name="ex"/> is the store refusing a write because the object exists (a failed <c>If-None-Match: *</c>).</summary>
    public bool IsExistsConflict(Exception ex) => Describe(Unwrap(ex)) is { } status && IsExistsConflict(status.Status, status.ErrorCode);

    /// <summary>What to check when a store holds other bytes than were sent (the message's last sentence).</summary>
    public virtual string IntegrityHint => "Check for a proxy or client setting that alters request bodies.";

    /// <summary>Whether <paramref name="ex"/> is the store refusing a request whose body did not match the checksum sent with it.</summary>
    public bool IsChecksumRefusal(Exception ex) => Describe(Unwrap(ex)) is { } status && IsChecksumRefusal(status.ErrorCode, Unwrap(ex).Message);

    /// <summary>The typed exception for a failed request about <paramref name="key"/>.</summary>
    public Exception Map(Exception ex, string operation, string key, CancellationToken cancellationToken)
    {
        if (Describe(Unwrap(ex)) is { } status)
        {
            if (status.Status == 404 && !IsContainerMissing(status.ErrorCode))
            {
                return StorageObjectNotFoundException.ForKey(key, store);
            }

            if (status.Status == 416)
            {
                return new StorageRangeException($"The byte range asked of '{key}' in {store} starts at or after its end ({status.Detail}).", ex);
            }
        }

        return MapFailure(ex, operation, key, cancellationToken);
    }

    /// <summary>A <see cref="StorageRequestFailedException"/> for <paramref name="ex"/>; <paramref name="leftOver"/> is appended to its message.</summary>
    public StorageRequestFailedException MapFailure(Exception ex, string operation, string key, CancellationToken cancellationToken, string leftOver = "")
    {
        var failure = Unwrap(ex);
        if (Describe(failure) is { Status: > 0 } status)
        {
            var transient = status.Status >= 500 || status.Status == 429;
            var hint = status.Status switch
            {
                403 => " " + hints.Forbidden,
                404 => " " + hints.ContainerMissing,
                _ when transient => " The store is failing or throttling; retry later.",
                _ => "",
            };
            var message = $"{service} {operation} of '{key}' in {store} failed: {status.Status} {status.Detail}.{hint}{leftOver}";
            return new StorageRequestFailedException(message, ex)
            {
                StatusCode = status.Status,
                ErrorCode = status.ErrorCode,
                IsTransient = transient,
                Key = key,
            };
        }

        var what = failure is OperationCanceledException && !cancellationToken.IsCancellationRequested ? "timed out" : "could not reach the store";
        return new StorageRequestFailedException(
            $"{service} {operation} of '{key}' in {store} {what}: {failure.Message.TrimEnd('.')}. {hints.Unreachable}{leftOver}",
            ex)
        {
            IsTransient = true,
            Key = key,
        };
    }

    /// <summary>Whether <paramref name="ex"/> is one of the SDK's own failure types.</summary>
    protected abstract bool IsSdkFailure(Exception ex);

    /// <summary>The status the store answered with, or null when it did not answer (or the SDK does not say).</summary>
    protected abstract ServiceStatus? Describe(Exception ex);

    /// <summary>Whether a 404 with <paramref name="errorCode"/> means the bucket or container is missing, not the object.</summary>
    protected abstract bool IsContainerMissing(string? errorCode);

    /// <summary>Whether the status means "the object exists" for a conditional write.</summary>
    protected abstract bool IsExistsConflict(int status, string? errorCode);

    /// <summary>Whether the store's error code means "the body does not match the checksum sent" (S3 BadDigest, Azure Md5Mismatch).</summary>
    protected abstract bool IsChecksumRefusal(string? errorCode, string message);

    /// <summary>The failure inside an SDK wrapper (the Azure SDK's retries end in an <see cref="AggregateException"/>).</summary>
    protected virtual Exception Unwrap(Exception ex) => ex;
}
