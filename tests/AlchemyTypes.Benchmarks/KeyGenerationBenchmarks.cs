using AlchemyTypes.Keys;
using BenchmarkDotNet.Attributes;

namespace AlchemyTypes.Benchmarks;

/// <summary>Key generation: the library's generators against the runtime's, as ratios to Guid.NewGuid().</summary>
[MemoryDiagnoser]
public class KeyGenerationBenchmarks
{
    private readonly UuidV6Generator _v6 = new();

    [Benchmark(Baseline = true)]
    public Guid GuidNewGuid() => Guid.NewGuid();

    [Benchmark]
    public Guid GuidCreateVersion7() => Guid.CreateVersion7();

    [Benchmark]
    public Guid AlchemyUuidV7_PostgreSql() => UuidV7ValueGenerator.NewGuid("Npgsql.EntityFrameworkCore.PostgreSQL");

    [Benchmark]
    public Guid AlchemyUuidV7_SqlServer() => UuidV7ValueGenerator.NewGuid("Microsoft.EntityFrameworkCore.SqlServer");

    [Benchmark]
    public Guid AlchemyUuidV6() => _v6.NewGuid();

    [Benchmark]
    public string AlchemyNanoid() => Nanoid.Generate();
}
