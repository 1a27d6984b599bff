using AlchemyTypes.FunctionalTests.TestUtilities;
using CsCheck;
using Xunit.Abstractions;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// The FileObject lifecycle as a state machine: random sequences of user actions (<see cref="ModelGenerators"/>) run by
/// <see cref="ModelRunner"/> against a real database and a real store, with the invariants checked after every step. A
/// failure is shrunk by CsCheck and reported with its seed (rerun it with <c>CsCheck_Seed=&lt;seed&gt;</c>) and the
/// shortest sequence found, step by step. Subclassed per database and backend; the budget is <see cref="ModelBudget"/>.
/// </summary>
public abstract class LifecycleModelTests(ITestStore store, LifecycleStorageFixture storage, ITestOutputHelper output) : IAsyncLifetime
{
    private ModelHarness? _harness;

    /// <summary>Seconds of sampling (and shrinking) in CI.</summary>
    protected abstract int CiSeconds { get; }

    /// <summary>The longest generated sequence.</summary>
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
    public async Task Random_operation_sequences_never_lose_a_committed_file_nor_leak_an_object()
    {
        var runner = new ModelRunner(_harness!);
        (ModelSequence Sequence, ModelViolationException Violation)? lastFailure = null;
        try
        {
            await ModelGenerators.Sequence(MaxSteps).SampleAsync(
                async sequence =>
                {
                    try
                    {
                        await runner.RunAsync(sequence);
                    }
                    catch (ModelViolationException violation)
                    {
                        // With one thread, the last failure is the smallest CsCheck found: the one its seed reproduces.
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
                time: ModelBudget.Seconds(CiSeconds),
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
    }
}

public sealed class SqliteLocalLifecycleModelTests(LocalLifecycleStorageFixture storage, ITestOutputHelper output)
    : LifecycleModelTests(new SqliteTestStore(), storage, output), IClassFixture<LocalLifecycleStorageFixture>
{
    protected override int CiSeconds => 20;
}

public sealed class SqliteInMemoryLifecycleModelTests(LifecycleStorageFixture storage, ITestOutputHelper output)
    : LifecycleModelTests(new SqliteTestStore(), storage, output), IClassFixture<LifecycleStorageFixture>
{
    protected override int CiSeconds => 15;
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalLifecycleModelTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage, ITestOutputHelper output)
    : LifecycleModelTests(new PostgresTestStore(server), storage, output), IClassFixture<LocalLifecycleStorageFixture>
{
    protected override int CiSeconds => 20;
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresInMemoryLifecycleModelTests(PostgresServerFixture server, LifecycleStorageFixture storage, ITestOutputHelper output)
    : LifecycleModelTests(new PostgresTestStore(server), storage, output), IClassFixture<LifecycleStorageFixture>
{
    protected override int CiSeconds => 15;
}

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresS3LifecycleModelTests(PostgresServerFixture server, S3LifecycleStorageFixture storage, ITestOutputHelper output)
    : LifecycleModelTests(new PostgresTestStore(server), storage, output), IClassFixture<S3LifecycleStorageFixture>
{
    protected override int CiSeconds => 10;

    protected override int MaxSteps => 20;
}

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresAzureLifecycleModelTests(PostgresServerFixture server, AzureLifecycleStorageFixture storage, ITestOutputHelper output)
    : LifecycleModelTests(new PostgresTestStore(server), storage, output), IClassFixture<AzureLifecycleStorageFixture>
{
    protected override int CiSeconds => 10;

    protected override int MaxSteps => 20;
}
