using System.Diagnostics;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Amazon.S3;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Operations;

/// <summary>
/// What an OpenTelemetry exporter receives from the library, collected with an in-memory ActivityListener and MeterListener:
/// span names, attributes, instruments, units, on the local backend and on S3 (s3rver), against SQLite.
/// </summary>
public abstract class TelemetryTests : IAsyncLifetime
{
    private readonly string _backendName = $"tel-{Guid.NewGuid():N}"[..24];
    private TestDatabase _database = null!;
    private IStorageBackend _backend = null!;

    protected abstract string ExpectedBackendType { get; }

    public async Task InitializeAsync()
    {
        _backend = await CreateBackendAsync();
        _database = await new SqliteTestStore().CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await DisposeBackendAsync();
    }

    [Fact]
    [Promise("P-OPS-01", "P-OPS-03")]
    public async Task Upload_download_and_the_delete_after_a_commit_are_spans_with_backend_type_and_size_and_are_measured()
    {
        using var telemetry = new TelemetryCollector(_backendName);
        telemetry.StartTest();
        var first = "first version of the report"u8.ToArray();
        var second = "the second, longer, version of the report"u8.ToArray();
        string firstKey;
        await using (var context = CreateContext())
        {
            var report = new Report { Title = "q3", File = FileObject.FromBytes(first, "q3.txt") };
            context.Reports.Add(report);
            await context.SaveChangesAsync();
            firstKey = report.File!.Key;

            await using (var stream = await report.File.OpenReadAsync())
            {
                Assert.Equal(first.Length, await CountAsync(stream));
            }

            report.File = FileObject.FromBytes(second, "q3.txt");
            await context.SaveChangesAsync();
        }

        Assert.False(await _backend.ExistsAsync(firstKey), "the replaced object must be gone for the test to mean anything");
        var spans = telemetry.Spans;

        var uploads = spans.Where(s => s.OperationName == "alchemytypes.upload").ToList();
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, s => AssertStorageSpan(s, "upload"));
        Assert.Equal([(long)first.Length, second.Length], uploads.Select(s => (long)s.GetTagItem("alchemytypes.storage.size")!));

        var download = Assert.Single(spans, s => s.OperationName == "alchemytypes.download");
        AssertStorageSpan(download, "download");
        Assert.Equal((long)first.Length, download.GetTagItem("alchemytypes.storage.size"));

        // The delete after the commit: one batch of one recorded delete, a conditional delete of the first version inside it.
        var batch = Assert.Single(spans, s => s.OperationName == "alchemytypes.pending_deletes.batch");
        Assert.Equal(1, batch.GetTagItem("alchemytypes.pending_deletes.batch_size"));
        Assert.Equal(1, batch.GetTagItem("alchemytypes.pending_deletes.deleted"));
        Assert.Equal(0, batch.GetTagItem("alchemytypes.pending_deletes.failed"));
        var delete = Assert.Single(spans, s => s.OperationName is "alchemytypes.delete" or "alchemytypes.delete_many");
        AssertStorageSpan(delete, delete.OperationName["alchemytypes.".Length..]);
        Assert.Equal(batch.SpanId, delete.ParentSpanId);

        var durations = telemetry.Of("alchemytypes.storage.operation.duration");
        Assert.All(durations, m => Assert.Equal("s", m.Unit));
        Assert.All(durations, m => Assert.True(m.Value >= 0));
        Assert.Equal(2, durations.Count(m => Equals(m["alchemytypes.storage.operation"], "upload")));
        Assert.Single(durations, m => Equals(m["alchemytypes.storage.operation"], "download"));
        Assert.All(durations, m => Assert.Equal(ExpectedBackendType, m["alchemytypes.storage.backend.type"]));

        var io = telemetry.Of("alchemytypes.storage.io");
        Assert.All(io, m => Assert.Equal("By", m.Unit));
        Assert.Equal(first.Length + second.Length, io.Where(m => Equals(m["alchemytypes.storage.io.direction"], "upload")).Sum(m => m.Value));
        Assert.Equal(first.Length, io.Where(m => Equals(m["alchemytypes.storage.io.direction"], "download")).Sum(m => m.Value));

        var processed = Assert.Single(telemetry.Of("alchemytypes.pending_deletes.processed"));
        Assert.Equal(("{delete}", 1.0, "deleted"), (processed.Unit, processed.Value, processed["alchemytypes.pending_deletes.outcome"]));
        Assert.Empty(telemetry.Of("alchemytypes.storage.errors"));

        AssertNoKeyRecorded(spans, telemetry, firstKey);
    }

    [Fact]
    [Promise("P-OPS-02")]
    public async Task Processing_the_outbox_and_reconciling_are_spans_with_their_counts()
    {
        // An object recorded for deletion in the outbox (as after a failed delete), and an orphan no row references.
        await _backend.UploadAsync("outbox/recorded.txt", new MemoryStream("recorded"u8.ToArray()));
        await _backend.UploadAsync("orphans/forgotten.txt", new MemoryStream("forgotten"u8.ToArray()));
        // Saved through a context that knows the backend under another name: the delete after the commit fails, the row stays.
        await using (var context = OpsContext.Create(_database, "seed", _backend))
        {
            context.Add(new PendingStorageDelete
            {
                Id = Guid.CreateVersion7(), Backend = _backendName, Key = "outbox/recorded.txt", EnqueuedAt = DateTime.UtcNow,
            });
            await context.SaveChangesAsync();
        }

        using var telemetry = new TelemetryCollector(_backendName);
        telemetry.StartTest();
        await using (var context = CreateContext())
        {
            var processed = await context.ProcessPendingStorageDeletesAsync();
            Assert.Equal(1, processed.Deleted);
            var later = new FileReconcileOptions { TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(2)) };
            var report = await context.ReconcileFilesAsync(later);
            Assert.Equal(1, report.OrphansDeleted);
        }

        var spans = telemetry.Spans;
        var process = Assert.Single(spans, s => s.OperationName == "alchemytypes.pending_deletes.process");
        Assert.Equal(1, process.GetTagItem("alchemytypes.pending_deletes.deleted"));
        Assert.Equal(0, process.GetTagItem("alchemytypes.pending_deletes.failed"));
        var batches = spans.Where(s => s.OperationName == "alchemytypes.pending_deletes.batch").ToList();
        Assert.Contains(batches, b => b.ParentSpanId == process.SpanId && Equals(b.GetTagItem("alchemytypes.pending_deletes.batch_size"), 1));

        // The recorded row has no ETag: one conditional delete (on the version read just before), inside the process run's batch.
        var deletes = spans.Where(s => s.OperationName == "alchemytypes.delete").ToList();
        Assert.Contains(deletes, d => batches.Any(b => b.SpanId == d.ParentSpanId && b.ParentSpanId == process.SpanId));
        Assert.All(deletes, d => AssertStorageSpan(d, "delete"));

        var reconcile = Assert.Single(spans, s => s.OperationName == "alchemytypes.reconcile");
        Assert.Equal(ActivityStatusCode.Unset, reconcile.Status);
        Assert.Equal(false, reconcile.GetTagItem("alchemytypes.reconcile.dry_run"));
        Assert.Equal(1L, reconcile.GetTagItem("alchemytypes.reconcile.objects_listed"));
        Assert.Equal(1L, reconcile.GetTagItem("alchemytypes.reconcile.orphans_found"));
        Assert.Equal(1L, reconcile.GetTagItem("alchemytypes.reconcile.orphans_deleted"));
        Assert.Equal(0L, reconcile.GetTagItem("alchemytypes.reconcile.missing"));

        var outcomes = telemetry.Of("alchemytypes.pending_deletes.processed");
        Assert.Equal(2, outcomes.Where(m => Equals(m["alchemytypes.pending_deletes.outcome"], "deleted")).Sum(m => m.Value));
        AssertNoKeyRecorded(spans, telemetry, "outbox/recorded.txt");
        AssertNoKeyRecorded(spans, telemetry, "orphans/forgotten.txt");
    }

    [Fact]
    [Promise("P-OPS-04")]
    public async Task A_failed_download_is_an_error_span_and_counts_in_errors_with_the_exception_type()
    {
        string key;
        Report report;
        await using (var context = CreateContext())
        {
            report = new Report { Title = "lost", File = FileObject.FromBytes("soon gone"u8, "lost.txt") };
            context.Reports.Add(report);
            await context.SaveChangesAsync();
            key = report.File!.Key;
        }

        await _backend.DeleteAsync(key);
        using var telemetry = new TelemetryCollector(_backendName);
        telemetry.StartTest();
        await Assert.ThrowsAsync<StorageObjectNotFoundException>(() => report.File!.OpenReadAsync());

        var span = Assert.Single(telemetry.Spans, s => s.OperationName == "alchemytypes.download");
        AssertStorageSpan(span, "download");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(StorageObjectNotFoundException).FullName, span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("alchemytypes.storage.size"));

        var error = Assert.Single(telemetry.Of("alchemytypes.storage.errors"));
        Assert.Equal(("{error}", 1.0), (error.Unit, error.Value));
        Assert.Equal(typeof(StorageObjectNotFoundException).FullName, error["error.type"]);
        Assert.Equal("download", error["alchemytypes.storage.operation"]);
        var duration = Assert.Single(telemetry.Of("alchemytypes.storage.operation.duration"));
        Assert.Equal(typeof(StorageObjectNotFoundException).FullName, duration["error.type"]);
        Assert.Empty(telemetry.Of("alchemytypes.storage.io"));
        AssertNoKeyRecorded(telemetry.Spans, telemetry, key);
    }

    protected abstract Task<IStorageBackend> CreateBackendAsync();

    protected virtual Task DisposeBackendAsync() => Task.CompletedTask;

    private static async Task<long> CountAsync(Stream stream)
    {
        var buffer = new byte[8192];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static void AssertNoKeyRecorded(List<Activity> spans, TelemetryCollector telemetry, string key)
    {
        var spanValues = spans.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString() ?? "").Concat(spans.Select(s => s.StatusDescription ?? ""));
        Assert.DoesNotContain(spanValues, v => v.Contains(key, StringComparison.Ordinal));
        var names = new[]
        {
            "alchemytypes.storage.operation.duration", "alchemytypes.storage.errors", "alchemytypes.storage.io", "alchemytypes.pending_deletes.processed",
        };
        var metricValues = names.SelectMany(telemetry.Of).SelectMany(m => m.Tags.Values).Select(v => v?.ToString() ?? "");
        Assert.DoesNotContain(metricValues, v => v.Contains(key, StringComparison.Ordinal));
    }

    private void AssertStorageSpan(Activity span, string operation)
    {
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(operation, span.GetTagItem("alchemytypes.storage.operation"));
        Assert.Equal(_backendName, span.GetTagItem("alchemytypes.storage.backend"));
        Assert.Equal(ExpectedBackendType, span.GetTagItem("alchemytypes.storage.backend.type"));
    }

    private OpsContext CreateContext() => OpsContext.Create(_database, _backendName, _backend);
}

public sealed class LocalTelemetryTests : TelemetryTests
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-telemetry");

    protected override string ExpectedBackendType => nameof(LocalFileSystemStorageBackend);

    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new LocalFileSystemStorageBackend(_root));

    protected override Task DisposeBackendAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}

[Collection(S3Collection.Name)]
public sealed class S3TelemetryTests(S3ServerFixture server) : TelemetryTests
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string? _bucket;

    protected override string ExpectedBackendType => nameof(S3StorageBackend);

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket));
    }

    protected override async Task DisposeBackendAsync()
    {
        if (_bucket is not null)
        {
            await S3TestBuckets.DeleteAsync(_client, _bucket);
        }

        _client.Dispose();
    }
}
