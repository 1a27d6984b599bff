using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.Benchmarks;

internal static class BenchmarkOptions
{
    /// <summary>
    /// Every benchmark setup builds its options once, around a backend (or key ring) of its own, so EF Core makes an internal
    /// service provider per setup. <c>./build.sh bench</c> runs every setup of the table in one process, some of them once per
    /// round, which is past the 20 providers after which EF Core stops with <c>ManyServiceProvidersCreatedWarning</c>.
    /// </summary>
    public static DbContextOptionsBuilder<TContext> ForBenchmark<TContext>(this DbContextOptionsBuilder<TContext> builder)
        where TContext : DbContext
        => builder.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
}
