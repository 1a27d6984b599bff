using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AlchemyTypes.FunctionalTests.Operations;

/// <summary>
/// Listens to the library's ActivitySource and Meter the way an OpenTelemetry SDK does (ActivityListener, MeterListener),
/// keeping what one test emits: spans of the trace started by <see cref="StartTest"/> (the library's spans join the current
/// trace), and measurements whose backend attribute is the test's own backend name (or that have no backend attribute).
/// The listeners are process-wide, so other tests running at the same time are filtered out by trace and backend name.
/// </summary>
internal sealed class TelemetryCollector : IDisposable
{
    private const string TestSourceName = "AlchemyTypes.FunctionalTests.Telemetry";

    private static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly string _backend;
    private Activity? _root;

    public TelemetryCollector(string backend)
    {
        _backend = backend;
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name is AlchemyTypesDiagnostics.ActivitySourceName or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AlchemyTypesDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _meters.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _meters.Start();
    }

    /// <summary>Starts the test's root span: everything the library traces until <see cref="Spans"/> is read belongs to it.</summary>
    public void StartTest() => _root = TestSource.StartActivity("test") ?? throw new InvalidOperationException("The test source has no listener.");

    /// <summary>The library's finished spans in this test's trace.</summary>
    public List<Activity> Spans
        => [.. _stopped.Where(a => _root is not null && a.TraceId == _root.TraceId && a.Source.Name == AlchemyTypesDiagnostics.ActivitySourceName)];

    /// <summary>The measurements of <paramref name="instrument"/> for this test's backend (or without a backend attribute).</summary>
    public List<Measurement> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    public void Dispose()
    {
        _root?.Dispose();
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tag) in tags)
        {
            dictionary[key] = tag;
        }

        if (dictionary.TryGetValue("alchemytypes.storage.backend", out var backend) && !Equals(backend, _backend))
        {
            return;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, value, dictionary));
    }

    internal sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
    {
        public object? this[string tag] => Tags.TryGetValue(tag, out var value) ? value : null;
    }
}
