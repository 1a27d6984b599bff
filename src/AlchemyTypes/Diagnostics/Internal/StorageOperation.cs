using System.Diagnostics;
using AlchemyTypes.Storage;

namespace AlchemyTypes.Diagnostics.Internal;

/// <summary>
/// One storage request as traced and measured: a client span named <c>alchemytypes.{operation}</c>, its duration in
/// <c>alchemytypes.storage.operation.duration</c>, its failure in <c>alchemytypes.storage.errors</c>. Created by
/// <see cref="Start"/> only when a listener wants any of them. Object keys are never recorded (they may hold user data).
/// </summary>
internal sealed class StorageOperation : IDisposable
{
    private readonly string _operation;
    private readonly string _backend;
    private readonly string _backendType;
    private readonly long _started;
    private readonly Activity? _activity;
    private string? _errorType;
    private long? _bytes;

    private StorageOperation(string operation, string backend, string backendType, Activity? activity)
    {
        _operation = operation;
        _backend = backend;
        _backendType = backendType;
        _activity = activity;
        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts tracing one request; null (and nothing else happens) when no listener is interested.</summary>
    public static StorageOperation? Start(string operation, string backend, IStorageBackend storage)
    {
        var traced = StorageTelemetry.Source.HasListeners();
        if (!traced && !StorageTelemetry.OperationDuration.Enabled && !StorageTelemetry.Errors.Enabled && !StorageTelemetry.Io.Enabled)
        {
            return null;
        }

        var backendType = StorageTelemetry.TypeOf(storage);
        Activity? activity = null;
        if (traced)
        {
            activity = StorageTelemetry.Source.StartActivity("alchemytypes." + operation, ActivityKind.Client);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(StorageTelemetry.OperationAttribute, operation);
                activity.SetTag(StorageTelemetry.BackendAttribute, backend);
                activity.SetTag(StorageTelemetry.BackendTypeAttribute, backendType);
            }
        }

        return new StorageOperation(operation, backend, backendType, activity);
    }

    /// <summary>For an exception filter: records the failure and returns false, so the exception flows on untouched.</summary>
    public static bool Fail(StorageOperation? operation, Exception exception)
    {
        if (operation is not null)
        {
            operation._errorType = exception.GetType().FullName ?? exception.GetType().Name;
            StorageTelemetry.SetError(operation._activity, exception);
        }

        return false;
    }

    /// <summary>The bytes the request moved (uploaded, or opened for reading); counted in <c>alchemytypes.storage.io</c>.</summary>
    public void SetBytes(long bytes)
    {
        _bytes = bytes;
        _activity?.SetTag(StorageTelemetry.SizeAttribute, bytes);
    }

    /// <summary>How many keys a batch request names.</summary>
    public void SetKeyCount(int count) => _activity?.SetTag(StorageTelemetry.KeyCountAttribute, count);

    public void Dispose()
    {
        var tags = new TagList
        {
            { StorageTelemetry.OperationAttribute, _operation },
            { StorageTelemetry.BackendAttribute, _backend },
            { StorageTelemetry.BackendTypeAttribute, _backendType },
        };
        if (_errorType is not null)
        {
            tags.Add(StorageTelemetry.ErrorTypeAttribute, _errorType);
            StorageTelemetry.Errors.Add(1, tags);
        }
        else if (_bytes is { } bytes && StorageTelemetry.Io.Enabled)
        {
            var io = new TagList
            {
                { StorageTelemetry.BackendAttribute, _backend },
                { StorageTelemetry.BackendTypeAttribute, _backendType },
                { StorageTelemetry.DirectionAttribute, _operation == StorageTelemetry.Upload ? "upload" : "download" },
            };
            StorageTelemetry.Io.Add(bytes, io);
        }

        StorageTelemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        _activity?.Dispose();
    }
}
