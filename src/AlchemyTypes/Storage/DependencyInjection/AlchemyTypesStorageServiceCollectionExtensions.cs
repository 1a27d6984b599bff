using AlchemyTypes;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using AlchemyTypes.Storage.DependencyInjection.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AlchemyTypes storage backends, described in configuration, with dependency injection.</summary>
public static class AlchemyTypesStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="StorageRegistry"/> built from <paramref name="configuration"/> (for instance
    /// <c>builder.Configuration.GetSection("AlchemyTypes:Storage")</c>), so the backend is chosen in appsettings.json:
    /// <code>
    /// "AlchemyTypes": { "Storage": {
    ///   "Default": "files",
    ///   "Backends": {
    ///     "files": { "Type": "S3", "BucketName": "uploads", "Region": "eu-west-1" },
    ///     "scratch": { "Type": "Local", "RootPath": "/var/app/files" } } } }
    /// </code>
    /// Each backend is created once, when the registry is first resolved, and disposed with the service provider. Hand
    /// the registry to EF Core with
    /// <c>AddDbContext&lt;T&gt;((sp, o) =&gt; o.UseNpgsql(…).AddAlchemyTypes(a =&gt; a.UseStorageRegistry(sp.GetRequiredService&lt;StorageRegistry&gt;())))</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The storage section: <c>Default</c> (optional with one backend) and <c>Backends</c>, each with a <c>Type</c>.</param>
    /// <param name="configureTypes">Adds backend types beyond the built-in "Local" and "InMemory": <c>types =&gt; types.AddS3Type().AddAzureBlobType()</c>.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="AlchemyTypesConfigurationException">Thrown when the registry is resolved, if the configuration is incomplete or names an unknown type.</exception>
    public static IServiceCollection AddAlchemyTypesStorage(this IServiceCollection services, IConfiguration configuration, Action<StorageBackendTypes>? configureTypes = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var types = new StorageBackendTypes();
        configureTypes?.Invoke(types);
        services.TryAddSingleton(sp => new ConfiguredStorageBackends(configuration, types, sp));
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfiguredStorageBackends>().Registry);
        return services;
    }
}
