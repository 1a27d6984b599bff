using AlchemyTypes;
using AlchemyTypes.Infrastructure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using AlchemyTypes.Infrastructure.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>The one-line entry point of AlchemyTypes on <see cref="DbContextOptionsBuilder"/>.</summary>
public static class AlchemyTypesDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Adds AlchemyTypes to a context: UTC-enforced <see cref="DateTime"/> properties, client-side UUIDv6/v7 and Nanoid keys,
    /// audit stamps, and whatever <paramref name="configure"/> adds (storage backends, encryption keys, password hashers).
    /// Calling it again keeps what earlier calls configured.
    /// </summary>
    /// <param name="optionsBuilder">The options builder of the context.</param>
    /// <param name="configure">Configures AlchemyTypes; optional.</param>
    /// <returns>The same options builder, for chaining.</returns>
    public static DbContextOptionsBuilder AddAlchemyTypes(
        this DbContextOptionsBuilder optionsBuilder,
        Action<AlchemyTypesOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        var extension = optionsBuilder.Options.FindExtension<AlchemyTypesOptionsExtension>() ?? new AlchemyTypesOptionsExtension();
        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(extension);
        configure?.Invoke(new AlchemyTypesOptionsBuilder(optionsBuilder));
        return optionsBuilder;
    }

    /// <inheritdoc cref="AddAlchemyTypes(DbContextOptionsBuilder, Action{AlchemyTypesOptionsBuilder}?)" />
    /// <typeparam name="TContext">The context type.</typeparam>
    public static DbContextOptionsBuilder<TContext> AddAlchemyTypes<TContext>(
        this DbContextOptionsBuilder<TContext> optionsBuilder,
        Action<AlchemyTypesOptionsBuilder>? configure = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)AddAlchemyTypes((DbContextOptionsBuilder)optionsBuilder, configure);
}
