using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

public static class TestOptions
{
    /// <summary>
    /// The suite builds many deliberately different configurations (backends, key rings, hashers) in one process, and EF
    /// Core counts internal service providers process-wide: past 20 it raises <see cref="CoreEventId.ManyServiceProvidersCreatedWarning"/>
    /// (an error in EF Core 10) in whichever context comes next, whatever that context does. The warning is about start-up
    /// cost, not correctness, so test contexts ignore it; that identical configurations share one provider and model is
    /// asserted directly (FileObjectModelTests, SecretsModelConfigurationTests).
    /// </summary>
    public static DbContextOptionsBuilder ForTests(this DbContextOptionsBuilder builder)
        => builder.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));

    /// <inheritdoc cref="ForTests(DbContextOptionsBuilder)" />
    public static DbContextOptionsBuilder<TContext> ForTests<TContext>(this DbContextOptionsBuilder<TContext> builder)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)ForTests((DbContextOptionsBuilder)builder);
}
