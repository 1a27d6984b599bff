using AlchemyTypes;
using AlchemyTypes.Infrastructure.Internal;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore.Infrastructure;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>The storage backends a context's FileObject values use.</summary>
public static class StorageRegistryDbContextExtensions
{
    /// <summary>
    /// The <see cref="StorageRegistry"/> the context was configured with (<c>AddAlchemyTypes(a =&gt; a.AddStorage(…))</c> or
    /// <c>a.UseStorageRegistry(…)</c>): the backends its FileObject values are read from and written to. The storage health
    /// check uses it.
    /// </summary>
    /// <param name="context">A context configured with AddAlchemyTypes.</param>
    /// <returns>The registry.</returns>
    /// <exception cref="AlchemyTypesConfigurationException">The context has no AlchemyTypes storage configured.</exception>
    public static StorageRegistry GetStorageRegistry(this DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.GetService<IDbContextOptions>().FindExtension<AlchemyTypesOptionsExtension>() is null
            ? null
            : context.GetService<AlchemyTypesSingletonOptions>();
        return options?.StorageRegistry
            ?? throw new AlchemyTypesConfigurationException($"{context.GetType().Name} has no AlchemyTypes storage configured: add "
                + "AddAlchemyTypes(a => a.AddStorage(\"files\", backend)) (or a.UseStorageRegistry(registry)) to its options.");
    }
}
