using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using CsCheck;
using Xunit.Abstractions;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// The lifecycle model test with maintenance between the writer's steps: ProcessPendingStorageDeletes, reconcile (now, and two
/// days later), ExecuteDeleteWithFilesAsync and detached <c>Update()</c> saves from other contexts, on SQLite, PostgreSQL and
/// MariaDB. Bounded by a count of sequences: <see cref="CiSequences"/> in CI, <c>ALCHEMYTYPES_MODEL_SEQUENCES=N</c> for N,
/// <c>ALCHEMYTYPES_SOAK=minutes</c> for as many as fit. Stale writers (another writer changes a row the writer's context holds)
/// join with <c>ALCHEMYTYPES_MODEL_STALE_WRITERS=1</c>. A failure is shrunk and printed with its seed (<c>CsCheck_Seed=…</c>);
/// a pass prints the totals (sequences, steps, maintenance runs, orphans collected).
/// </summary>
public abstract class MaintenanceModelTests(ITestStore store, LifecycleStorageFixture storage, ITestOutputHelper output) : IAsyncLifetime
{
    private ModelHarness? _harness;

    /// <summary>Sequences run in CI.</summary>
    protected virtual long CiSequences => 25;

    protected virtual int MaxSteps => 30;

    public async Task InitializeAsync()
    {
        storage.Primary.Reset();
        _harness = await ModelHarness.CreateAsync(store, storage);
    }

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    [Fact]
    [Promise("P-LIFE-70")]
    [Promise("P-LIFE-71")]
    public async Task Random_sequences_with_maintenance_interleaved_never_lose_a_committed_file_nor_leak_an_object()
    {
        var runner = new ModelRunner(_harness!);
        var started = DateTime.UtcNow;
        (ModelSequence Sequence, ModelViolationException Violation)? lastFailure = null;
        try
        {
            await ModelGenerators.SequenceWithMaintenance(MaxSteps, ModelBudget.StaleWriters).SampleAsync(
                async sequence =>
                {
                    try
                    {
                        await runner.RunAsync(sequence);
                    }
                    catch (ModelViolationException violation)
                    {
                        lastFailure = (sequence, violation);
                        throw;
                    }
                    finally
                    {
                        if (ModelBudget.Trace)
                        {
                            output.WriteLine(string.Join(Environment.NewLine, runner.Transcript));
                        }
                    }
                },
                writeLine: output.WriteLine,
                iter: ModelBudget.Sequences(CiSequences),
                time: ModelBudget.SoakMinutes is { } && Environment.GetEnvironmentVariable(ModelBudget.SequencesVariable) is null ? ModelBudget.Seconds(0) : -1,
                threads: 1,
                print: s => s.ToString());
        }
        catch (CsCheckException e) when (lastFailure is { } failure)
        {
            var (shrunk, violation) = await ModelShrinker.ShrinkAsync(runner, failure.Sequence, failure.Violation, ModelBudget.ShrinkTime);
            var seedLine = e.Message.Split('\n')[0].Trim();
            throw new ModelFailureException(
                $"{seedLine}{Environment.NewLine}"
                + $"The seed reproduces the sampled sequence of {failure.Sequence.Steps.Length} steps; "
                + $"it shrinks to {shrunk.Steps.Length} steps:{Environment.NewLine}"
                + $"{shrunk}{Environment.NewLine}{Environment.NewLine}{violation.Message}",
                e);
        }

        // Every run ended with its invariants checked: 0 committed files lost, 0 unreferenced objects beyond the tracked ones.
        output.WriteLine($"{store.Name}: {runner.Totals} in {(DateTime.UtcNow - started).TotalSeconds:F0} s; 0 lost, 0 orphans"
            + (ModelBudget.StaleWriters ? " (stale writers on)" : ""));
        Assert.True(runner.Totals.Reconciles + runner.Totals.BulkDeletedRows + runner.Totals.DetachedUpdates > 0,
            "the sequences must have run maintenance for the test to mean anything");
    }
}

public sealed class SqliteLocalMaintenanceModelTests(LocalLifecycleStorageFixture storage, ITestOutputHelper output)
    : MaintenanceModelTests(new SqliteTestStore(), storage, output), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalMaintenanceModelTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage, ITestOutputHelper output)
    : MaintenanceModelTests(new PostgresTestStore(server), storage, output), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLocalMaintenanceModelTests(MariaDbServerFixture server, LocalLifecycleStorageFixture storage, ITestOutputHelper output)
    : MaintenanceModelTests(new MariaDbTestStore(server), storage, output), IClassFixture<LocalLifecycleStorageFixture>;
