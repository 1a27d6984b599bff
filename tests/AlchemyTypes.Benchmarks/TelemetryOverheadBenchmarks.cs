using System.Diagnostics;
using System.Diagnostics.Metrics;
using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// What the tracing and metrics cost on the cheapest storage request there is: opening a 1 KiB object of the in-memory
/// backend through <c>FileObject.OpenReadAsync</c> (traced) against the backend's own <c>OpenReadAsync</c> (the baseline),
/// with nothing listening and with an ActivityListener and a MeterListener recording everything.
/// </summary>
[MemoryDiagnoser]
public class TelemetryOverheadBenchmarks
{
    private InMemoryStorageBackend _backend = null!;
    private SqliteConnection _connection = null!;
    private FileObject _file = null!;
    private ActivityListener? _activities;
    private MeterListener? _meters;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backend = new InMemoryStorageBackend();
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        var options = new DbContextOptionsBuilder<BenchContext>().UseSqlite(_connection).ForBenchmark().AddAlchemyTypes(a => a.AddStorage("files", _backend)).Options;
        using var context = new BenchContext(options);
        context.Database.EnsureCreated();
        var document = new BenchDocument { Title = "telemetry", File = FileObject.FromBytes(new byte[1024], "one.bin") };
        context.Add(document);
        context.SaveChanges();
        _file = document.File!;
        if (Listening)
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == AlchemyTypesDiagnostics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
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
            _meters.SetMeasurementEventCallback<long>((_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<double>((_, _, _, _) => { });
            _meters.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        _connection.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> BackendOpenRead()
    {
        await using var stream = await _backend.OpenReadAsync(_file.Key);
        return stream.Length;
    }

    [Benchmark]
    public async Task<long> FileObjectOpenRead()
    {
        await using var stream = await _file.OpenReadAsync();
        return stream.Length;
    }
}
