using AlchemyTypes.Storage;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

public sealed class PlainDocument
{
    public long Id { get; set; }

    public string Title { get; set; } = "";

    /// <summary>The same JSON, as a plain string column: what a context without AlchemyTypes stores.</summary>
    public string? File { get; set; }
}

public sealed class PlainContext(DbContextOptions<PlainContext> options) : DbContext(options)
{
    public DbSet<PlainDocument> Documents => Set<PlainDocument>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<PlainDocument>().ToTable("Documents");
}

/// <summary>
/// SaveChanges of 10,000 tracked rows that each have a FileObject column and no pending upload (a title changes): the
/// AlchemyTypes interceptor against a plain context storing the same JSON as a string (the baseline).
/// </summary>
[MemoryDiagnoser]
public class SaveChangesOverheadBenchmarks
{
    private const int Rows = 10_000;
    private SqliteConnection _connection = null!;
    private DbContextOptions<BenchContext> _alchemy = null!;
    private DbContextOptions<PlainContext> _plain = null!;
    private BenchContext? _alchemyContext;
    private PlainContext? _plainContext;
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        var backend = new InMemoryStorageBackend();
        _alchemy = new DbContextOptionsBuilder<BenchContext>().UseSqlite(_connection).ForBenchmark().AddAlchemyTypes(a => a.AddStorage("files", backend)).Options;
        _plain = new DbContextOptionsBuilder<PlainContext>().UseSqlite(_connection).Options;
        using var context = new BenchContext(_alchemy);
        context.Database.EnsureCreated();
        for (var i = 0; i < Rows; i++)
        {
            context.Add(new BenchDocument { Title = $"doc {i}", File = FileObject.FromBytes([(byte)i], $"f{i}.bin") });
        }

        context.SaveChanges();
    }

    [GlobalCleanup]
    public void Cleanup() => _connection.Dispose();

    [IterationSetup(Target = nameof(PlainContextSave))]
    public void LoadPlain()
    {
        _plainContext?.Dispose();
        _plainContext = new PlainContext(_plain);
        _round++;
        foreach (var document in _plainContext.Documents.ToList())
        {
            document.Title = $"round {_round}";
        }
    }

    [IterationSetup(Target = nameof(AlchemyTypesSave))]
    public void LoadAlchemy()
    {
        _alchemyContext?.Dispose();
        _alchemyContext = new BenchContext(_alchemy);
        _round++;
        foreach (var document in _alchemyContext.Documents.ToList())
        {
            document.Title = $"round {_round}";
        }
    }

    [Benchmark(Baseline = true)]
    public int PlainContextSave() => _plainContext!.SaveChanges();

    [Benchmark]
    public int AlchemyTypesSave() => _alchemyContext!.SaveChanges();
}
