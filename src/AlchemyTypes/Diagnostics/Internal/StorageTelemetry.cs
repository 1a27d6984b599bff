using System.Diagnostics;
using System.Diagnostics.Metrics;
using AlchemyTypes.Storage;

namespace AlchemyTypes.Diagnostics.Internal;

/// <summary>
/// The activity source and instruments of AlchemyTypes, created once per process (as EF Core and Npgsql do: the library's
/// code paths, such as <c>FileObject.OpenReadAsync</c>, have no service provider to ask for an <c>IMeterFactory</c>).
/// They hold no state of the library's; each call site asks <see cref="StorageOperation.Start"/>, which returns null when
/// nobody listens, so an application without tracing or metrics pays one listener check per storage request.
/// </summary>
internal static class StorageTelemetry
{
    public const string Upload = "upload";
    public const string Download = "download";
    public const string Delete = "delete";
    public const string DeleteMany = "delete_many";

    public const string BackendAttribute = "alchemytypes.storage.backend";
    public const string BackendTypeAttribute = "alchemytypes.storage.backend.type";
    public const string OperationAttribute = "alchemytypes.storage.operation";
    public const string SizeAttribute = "alchemytypes.storage.size";
    public const string KeyCountAttribute = "alchemytypes.storage.key_count";
    public const string DirectionAttribute = "alchemytypes.storage.io.direction";
    public const string ErrorTypeAttribute = "error.type";
    public const string OutcomeAttribute = "alchemytypes.pending_deletes.outcome";

    private static readonly string Version = typeof(StorageTelemetry).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static readonly ActivitySource Source = new(AlchemyTypesDiagnostics.ActivitySourceName, Version);

    public static readonly Meter Meter = new(AlchemyTypesDiagnostics.MeterName, Version);

    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        "alchemytypes.storage.operation.duration",
        unit: "s",
        description: "Duration of storage requests made by AlchemyTypes (upload, download, delete, delete_many).",
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 300],
        });

    public static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "alchemytypes.storage.errors", unit: "{error}", description: "Storage requests made by AlchemyTypes that failed, by error.type.");

    public static readonly Counter<long> Io = Meter.CreateCounter<long>(
        "alchemytypes.storage.io", unit: "By", description: "Bytes uploaded to and opened for download from storage by AlchemyTypes.");

    public static readonly Counter<long> DeletesProcessed = Meter.CreateCounter<long>(
        "alchemytypes.pending_deletes.processed", unit: "{delete}",
        description: "Recorded storage deletes run after a commit or from the outbox, by outcome (deleted, failed).");

    public static readonly Gauge<long> Backlog = Meter.CreateGauge<long>(
        "alchemytypes.pending_deletes.backlog", unit: "{delete}",
        description: "Rows in the pending storage delete outbox, each time the backlog is measured (health check, GetPendingStorageDeleteBacklogAsync).");

    public static readonly Gauge<double> OldestAge = Meter.CreateGauge<double>(
        "alchemytypes.pending_deletes.oldest_age", unit: "s",
        description: "Age of the oldest row in the pending storage delete outbox, each time the backlog is measured.");

    /// <summary>The backend type recorded with each operation: the backend class name (low cardinality, never a key).</summary>
    public static string TypeOf(IStorageBackend backend) => backend.GetType().Name;

    /// <summary>Records the outcome of a processed batch of recorded deletes.</summary>
    public static void RecordProcessed(string backend, int deleted, int failed)
    {
        if (!DeletesProcessed.Enabled)
        {
            return;
        }

        if (deleted > 0)
        {
            DeletesProcessed.Add(deleted, new(BackendAttribute, backend), new(OutcomeAttribute, "deleted"));
        }

        if (failed > 0)
        {
            DeletesProcessed.Add(failed, new(BackendAttribute, backend), new(OutcomeAttribute, "failed"));
        }
    }

    /// <summary>Records a measured backlog.</summary>
    public static void RecordBacklog(long count, TimeSpan? oldestAge)
    {
        if (Backlog.Enabled)
        {
            Backlog.Record(count);
        }

        if (OldestAge.Enabled)
        {
            OldestAge.Record(oldestAge is { } age ? Math.Max(0, age.TotalSeconds) : 0);
        }
    }

    /// <summary>Starts an activity that is not a storage request (delete processing, reconciliation); null when nobody listens.</summary>
    public static Activity? StartActivity(string name) => Source.HasListeners() ? Source.StartActivity(name, ActivityKind.Internal) : null;

    /// <summary>Marks an activity failed: the exception's type only (its message may contain an object key).</summary>
    public static void SetError(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        var type = exception.GetType().FullName ?? exception.GetType().Name;
        activity.SetTag(ErrorTypeAttribute, type);
        activity.SetStatus(ActivityStatusCode.Error, type);
    }
}
