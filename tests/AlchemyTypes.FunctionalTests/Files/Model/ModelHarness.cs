using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// What the runs of one test class share: the database, the storage (real backend, fault wrapper, recording wrapper), the
/// fault switches, the options of the application's contexts (with the fault interceptors) and of the checker's contexts
/// (without), and one context pool that lives as long as the class, as an application's would.
/// </summary>
public sealed class ModelHarness : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private ModelHarness(TestDatabase database, LifecycleStorageFixture storage)
    {
        _database = database;
        Storage = storage.Primary;
        Faults = new ModelFaults();
        Recording = new RecordingStorageBackend(storage.Primary, Faults);
        var options = new DbContextOptionsBuilder<ModelContext>();
        UseProvider(database, options);
        options.AddAlchemyTypes(a => a.AddStorage("files", Recording));
        options.AddInterceptors(new CommitFaultInterceptor(Faults), new SqlCancelInterceptor(Faults));
        Options = options.Options;
        var check = new DbContextOptionsBuilder<ModelContext>();
        UseProvider(database, check);
        check.AddAlchemyTypes(a => a.AddStorage("files", Recording));
        CheckOptions = check.Options;
        Pool = new PooledDbContextFactory<ModelContext>(Options, poolSize: 4);
    }

    public ModelFaults Faults { get; }

    public FaultyStorageBackend Storage { get; }

    public RecordingStorageBackend Recording { get; }

    public DbContextOptions<ModelContext> Options { get; }

    public DbContextOptions<ModelContext> CheckOptions { get; }

    public PooledDbContextFactory<ModelContext> Pool { get; }

    public static async Task<ModelHarness> CreateAsync(ITestStore store, LifecycleStorageFixture storage)
    {
        var harness = new ModelHarness(await store.CreateDatabaseAsync(), storage);
        await using var context = harness.CreateCheckContext();
        await context.Database.EnsureCreatedAsync();
        if (context.Database.IsSqlite())
        {
            // Readers (the checker) next to an open write transaction (the application), as a server database allows.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        return harness;
    }

    public ModelContext CreateCheckContext() => new(CheckOptions);

    /// <summary>
    /// The test database; on PostgreSQL with connection pooling on: a run opens a connection per step and per check, and the
    /// fixture's unpooled strings would make connection set-up most of the test's time (the database is dropped WITH (FORCE)).
    /// SQLite stays unpooled: idle pooled connections there slowed the runs down by an order of magnitude.
    /// </summary>
    private static void UseProvider(TestDatabase database, DbContextOptionsBuilder builder)
    {
        database.UseProvider(builder);
        if (database.ConnectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseNpgsql(new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = true, MaxPoolSize = 20 }.ConnectionString);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Pool is IDisposable pool)
        {
            pool.Dispose();
        }

        await _database.DisposeAsync();
    }
}
