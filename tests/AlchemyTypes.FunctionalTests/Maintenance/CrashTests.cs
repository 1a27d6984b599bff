using System.Diagnostics;
using System.Globalization;
using AlchemyTypes.CrashWorker;
using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace AlchemyTypes.FunctionalTests.Maintenance;

/// <summary>
/// A child process (tests/AlchemyTypes.CrashWorker) inserts, replaces and deletes files until it is killed with SIGKILL,
/// then is started again. Each run kills it once at every point where a crash can hurt — between an upload and the
/// commit, just before the COMMIT, after the COMMIT but before the application hears of it, and just before the
/// post-commit delete of a replaced file — at a random save (the worker blocks there, so the kill lands exactly there),
/// and once at a random moment. After the last kill, recorded-delete processing and reconcile must leave 0 orphans, and
/// every save the worker saw commit must be there with every byte. Rounds per run: 5 (CI, each point once); set
/// ALCHEMYTYPES_CRASH_ROUNDS for a longer run (the points repeat in turn), ALCHEMYTYPES_CRASH_SEED to repeat one. The seed
/// is printed.
/// </summary>
public abstract class CrashTests(ITestStore store, MaintenanceStorageFixture storage, ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    /// <summary>How the worker reaches the backend: the local folder, or "serviceUrl,bucket".</summary>
    protected abstract (string Kind, string Location) WorkerBackend { get; }

    [Fact]
    public async Task A_process_killed_at_random_points_leaves_no_orphans_and_loses_no_committed_file_after_reconcile()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("ALCHEMYTYPES_CRASH_ROUNDS"), out var r) ? r : 5;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ALCHEMYTYPES_CRASH_SEED"), out var s) ? s : Random.Shared.Next(1, 1_000_000);
        output.WriteLine($"crash test seed {seed} ({rounds} rounds); repeat with ALCHEMYTYPES_CRASH_SEED={seed}");
        var random = new Random(seed);
        var log = new List<string>();
        string?[] points = [null, .. CrashWindows.All];
        for (var round = 0; round < rounds; round++)
        {
            // null: killed at a random moment; otherwise blocked at that point on its 2nd to 5th visit (so an earlier save
            // has committed), then killed.
            var point = points[round % points.Length];
            var visit = random.Next(2, 6);
            var lines = await RunAndKillAsync(seed * 1000 + round, TimeSpan.FromMilliseconds(random.Next(0, 800)), point, visit);
            output.WriteLine($"round {round}: {(point is null ? "random moment" : $"{point}, visit {visit}")}, "
                + $"{lines.Count(l => l.StartsWith("C ", StringComparison.Ordinal))} saves committed");
            log.AddRange(lines);
        }

        var begun = log.Count(l => l.StartsWith("B ", StringComparison.Ordinal));
        var committed = log.Count(l => l.StartsWith("C ", StringComparison.Ordinal));
        output.WriteLine($"{begun} saves begun, {committed} committed, {rounds} kills");
        Assert.True(committed >= rounds, "the worker must have committed saves before each kill for the test to mean anything");

        // What each name may hold: the last committed version, or a version begun after it (its save may have committed
        // before the kill). -1: no row.
        var allowed = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var mustExist = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in log.Where(l => l.StartsWith("B ", StringComparison.Ordinal) || l.StartsWith("C ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ');
            var name = parts[1];
            var version = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var set = allowed.TryGetValue(name, out var existing) ? existing : allowed[name] = [-1];
            if (parts[0] == "C")
            {
                set.Clear();
                set.Add(version);
            }
            else
            {
                set.Add(version);
            }
        }

        await using (var context = CreateContext())
        {
            var rows = await context.Items.AsNoTracking().ToListAsync();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                Assert.True(allowed.TryGetValue(row.Name, out var versions), $"row {row.Name} was never saved by the worker");
                var bytes = await row.File!.GetBytesAsync();
                Assert.Contains(versions, v => v >= 0 && CrashContent.Create(row.Name, v).AsSpan().SequenceEqual(bytes));
                seen.Add(row.Name);
            }

            foreach (var (name, versions) in allowed)
            {
                Assert.True(seen.Contains(name) || versions.Contains(-1), $"committed file {name} (versions {string.Join(",", versions)}) was lost");
            }

            // What the hosted maintenance does after a restart: the recorded deletes first (a kill after a post-commit delete but
            // before its outbox row was removed leaves a row whose object is gone: processing clears it), then reconcile.
            await context.ProcessPendingStorageDeletesAsync();
            var report = await context.ReconcileFilesAsync(new FileReconcileOptions { TimeProvider = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(2)) });
            output.WriteLine($"reconcile: {report.ObjectsListed} listed, {report.OrphansDeleted} orphans deleted, {report.MissingCount} missing");
            Assert.Equal(0, report.MissingCount);
            Assert.Empty(await context.Set<PendingStorageDelete>().ToListAsync());

            var referenced = rows.Select(row => row.File!.Key).ToHashSet(StringComparer.Ordinal);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var item in storage.Files.ListAsync())
            {
                listed.Add(item.Key);
            }

            Assert.Equal(referenced.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Runs the worker and kills it: after <paramref name="afterReady"/>, or when it stops in <paramref name="window"/> on its n-th <paramref name="visit"/>.</summary>
    private async Task<List<string>> RunAndKillAsync(int seed, TimeSpan afterReady, string? window, int visit)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "AlchemyTypes.CrashWorker.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add("--runtimeconfig");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AlchemyTypes.FunctionalTests.runtimeconfig.json"));
        start.ArgumentList.Add("--depsfile");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AlchemyTypes.FunctionalTests.deps.json"));
        start.ArgumentList.Add(worker);
        start.ArgumentList.Add(store is SqliteTestStore ? "sqlite" : "postgres");
        start.ArgumentList.Add(_database.ConnectionString);
        start.ArgumentList.Add(WorkerBackend.Kind);
        start.ArgumentList.Add(WorkerBackend.Location);
        start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        if (window is not null)
        {
            start.ArgumentList.Add($"hang:{window}:{visit}");
        }

        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetResult();
                reached.TrySetResult();
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("P ", StringComparison.Ordinal))
            {
                reached.TrySetResult();
            }

            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
        };
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (window is null)
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
            await Task.Delay(afterReady);
        }
        else
        {
            await reached.Task.WaitAsync(TimeSpan.FromMinutes(2));
            lock (lines)
            {
                Assert.True(lines.Contains("P " + window), $"the worker never reached {window} (visit {visit}): " + string.Join(Environment.NewLine, errors));
            }
        }

        Assert.False(process.HasExited, "the worker stopped before it was killed: " + string.Join(Environment.NewLine, errors));

        // Process.Kill sends SIGKILL on Linux: no finally block, no dispose, no flush runs in the worker.
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        lock (lines)
        {
            return [.. lines];
        }
    }

    private CrashContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<CrashContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", storage.Files));
        return new CrashContext(builder.Options);
    }
}

public sealed class SqliteLocalCrashTests(LocalMaintenanceStorageFixture storage, ITestOutputHelper output)
    : CrashTests(new SqliteTestStore(), storage, output), IClassFixture<LocalMaintenanceStorageFixture>
{
    protected override (string Kind, string Location) WorkerBackend => ("local", storage.Root);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalCrashTests(PostgresServerFixture server, LocalMaintenanceStorageFixture storage, ITestOutputHelper output)
    : CrashTests(new PostgresTestStore(server), storage, output), IClassFixture<LocalMaintenanceStorageFixture>
{
    protected override (string Kind, string Location) WorkerBackend => ("local", storage.Root);
}

[Collection(S3Collection.Name)]
public sealed class SqliteS3CrashTests(S3ServerFixture server, S3MaintenanceStorageFixture storage, ITestOutputHelper output)
    : CrashTests(new SqliteTestStore(), storage, output), IClassFixture<S3MaintenanceStorageFixture>
{
    protected override (string Kind, string Location) WorkerBackend => ("s3", server.ServiceUrl + "," + storage.Bucket);
}

[Collection(PostgresS3Collection.Name)]
public sealed class PostgresS3CrashTests(PostgresServerFixture server, S3ServerFixture s3, S3MaintenanceStorageFixture storage, ITestOutputHelper output)
    : CrashTests(new PostgresTestStore(server), storage, output), IClassFixture<S3MaintenanceStorageFixture>
{
    protected override (string Kind, string Location) WorkerBackend => ("s3", s3.ServiceUrl + "," + storage.Bucket);
}
