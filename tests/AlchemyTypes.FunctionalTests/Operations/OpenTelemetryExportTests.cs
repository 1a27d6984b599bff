using System.Diagnostics;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AlchemyTypes.FunctionalTests.Operations;

/// <summary>
/// The registration README shows, with the real OpenTelemetry SDK and its in-memory exporter: the SDK picks up the
/// library's spans and instruments by the names in <see cref="AlchemyTypesDiagnostics"/>, with their attributes and units.
/// </summary>
public sealed class OpenTelemetryExportTests : IAsyncLifetime
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-otel");
    private readonly string _backendName = $"otel-{Guid.NewGuid():N}"[..24];
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await new SqliteTestStore().CreateDatabaseAsync();
        await using var context = OpsContext.Create(_database, _backendName, new LocalFileSystemStorageBackend(_root));
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    [Promise("P-OPS-01")]
    public async Task The_OpenTelemetry_SDK_exports_the_upload_span_and_the_duration_and_bytes_metrics()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var services = new ServiceCollection();
        services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(AlchemyTypesDiagnostics.ActivitySourceName).AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddMeter(AlchemyTypesDiagnostics.MeterName).AddInMemoryExporter(metrics));
        await using var provider = services.BuildServiceProvider();
        var tracer = provider.GetRequiredService<TracerProvider>();
        var meter = provider.GetRequiredService<MeterProvider>();

        var content = new byte[12_345];
        Random.Shared.NextBytes(content);
        await using (var context = OpsContext.Create(_database, _backendName, new LocalFileSystemStorageBackend(_root)))
        {
            context.Reports.Add(new Report { Title = "otel", File = FileObject.FromBytes(content, "otel.bin") });
            await context.SaveChangesAsync();
        }

        tracer.ForceFlush();
        meter.ForceFlush();

        var upload = Assert.Single(spans, s => s.OperationName == "alchemytypes.upload" && Equals(s.GetTagItem("alchemytypes.storage.backend"), _backendName));
        Assert.Equal(AlchemyTypesDiagnostics.ActivitySourceName, upload.Source.Name);
        Assert.Equal(nameof(LocalFileSystemStorageBackend), upload.GetTagItem("alchemytypes.storage.backend.type"));
        Assert.Equal((long)content.Length, upload.GetTagItem("alchemytypes.storage.size"));

        var duration = Assert.Single(metrics, m => m.Name == "alchemytypes.storage.operation.duration");
        Assert.Equal(("s", MetricType.Histogram), (duration.Unit, duration.MetricType));
        Assert.Contains(Points(duration), p => Tag(p, "alchemytypes.storage.backend") == _backendName && Tag(p, "alchemytypes.storage.operation") == "upload"
            && p.GetHistogramCount() == 1);

        var io = Assert.Single(metrics, m => m.Name == "alchemytypes.storage.io");
        Assert.Equal(("By", MetricType.LongSum), (io.Unit, io.MetricType));
        Assert.Contains(Points(io), p => Tag(p, "alchemytypes.storage.backend") == _backendName && Tag(p, "alchemytypes.storage.io.direction") == "upload"
            && p.GetSumLong() == content.Length);
    }

    private static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }

        return points;
    }

    private static string? Tag(MetricPoint point, string name)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == name)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
