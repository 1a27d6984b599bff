namespace AlchemyTypes;

/// <summary>
/// The names under which AlchemyTypes emits traces and metrics through <c>System.Diagnostics</c>, for an OpenTelemetry
/// registration: <c>tracing.AddSource(AlchemyTypesDiagnostics.ActivitySourceName)</c> and
/// <c>metrics.AddMeter(AlchemyTypesDiagnostics.MeterName)</c>. docs/operations.md lists every span, instrument and attribute.
/// </summary>
public static class AlchemyTypesDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of storage operations, delete processing and reconciliation.</summary>
    public const string ActivitySourceName = "AlchemyTypes";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of storage durations, bytes, errors and the delete backlog.</summary>
    public const string MeterName = "AlchemyTypes";
}
