using AlchemyTypes.Auditing.Internal;
using AlchemyTypes.DateTimes.Internal;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Infrastructure.Internal;
using AlchemyTypes.Passwords.Internal;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AlchemyTypes services in an EF Core internal service provider.</summary>
public static class AlchemyTypesServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services AlchemyTypes needs to EF Core's internal service provider. <c>AddAlchemyTypes()</c> on the context
    /// options calls this for you; call it yourself only when your application builds its own internal service provider
    /// (<c>UseInternalServiceProvider</c>), after the database provider's <c>AddEntityFramework…()</c>. The options still come
    /// from <c>AddAlchemyTypes(…)</c> on each context's options.
    /// </summary>
    /// <param name="serviceCollection">The internal service collection.</param>
    /// <returns>The same collection, for chaining.</returns>
    public static IServiceCollection AddEntityFrameworkAlchemyTypes(this IServiceCollection serviceCollection)
    {
        ArgumentNullException.ThrowIfNull(serviceCollection);
        new EntityFrameworkRelationalServicesBuilder(serviceCollection)
            .TryAdd<IRelationalTypeMappingSourcePlugin, AlchemyTypesTypeMappingSourcePlugin>()
            .TryAdd<IConventionSetPlugin, AlchemyTypesConventionSetPlugin>()
            .TryAdd<IInterceptor, AlchemyTypesSaveChangesInterceptor>()
            .TryAdd<IInterceptor, BlindIndexQueryInterceptor>()
            .TryAdd<IInterceptor, RowBindingQueryInterceptor>()
            .TryAdd<ISingletonInterceptor, RowBindingMaterializationInterceptor>()
            .TryAdd<IInterceptor, FileTransactionInterceptor>()
            .TryAdd<IInterceptor, RawSavepointInterceptor>()
            .TryAdd<IInterceptor, MySqlCompatibilityInterceptor>()
            .TryAdd<IResettableService, FileLifecycle>(p => p.GetRequiredService<FileLifecycle>())
            .TryAdd<ISingletonOptions, AlchemyTypesSingletonOptions>(p => p.GetRequiredService<AlchemyTypesSingletonOptions>())
            .TryAddProviderSpecificServices(b => b
                .TryAddSingleton<AlchemyTypesSingletonOptions, AlchemyTypesSingletonOptions>()
                .TryAddScoped<FileLifecycle, FileLifecycle>()
                .TryAddScopedEnumerable<ISaveChangesStep, AuditingSaveStep>()
                .TryAddScopedEnumerable<ISaveChangesStep, UtcDateTimeSaveStep>()
                .TryAddScopedEnumerable<ISaveChangesStep, EncryptionSaveStep>()
                .TryAddScopedEnumerable<ISaveChangesStep, PasswordSaveStep>()
                .TryAddScopedEnumerable<ISaveChangesStep, FileLifecycle>(p => p.GetRequiredService<FileLifecycle>()));

        // The row-binding materialization interceptor applies only to entity types with a property bound to its row: every
        // other type keeps EF Core's fast materializer (a registered interceptor would otherwise change every shaper).
        serviceCollection.Replace(ServiceDescriptor.Singleton<IStructuralTypeMaterializerSource, RowBindingMaterializerSource>());
        return serviceCollection;
    }
}
