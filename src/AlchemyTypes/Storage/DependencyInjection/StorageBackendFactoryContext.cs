using Microsoft.Extensions.Configuration;

namespace AlchemyTypes.Storage.DependencyInjection;

/// <summary>What a storage backend factory gets: the backend's name, its configuration section and the application's services.</summary>
public sealed class StorageBackendFactoryContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="name">The backend name (the key under <c>Backends</c>).</param>
    /// <param name="configuration">The backend's section: <c>Type</c> and the type's own settings.</param>
    /// <param name="services">The application's service provider, for clients or credentials registered there.</param>
    public StorageBackendFactoryContext(string name, IConfigurationSection configuration, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(services);
        Name = name;
        Configuration = configuration;
        Services = services;
    }

    /// <summary>The backend name.</summary>
    public string Name { get; }

    /// <summary>The backend's configuration section.</summary>
    public IConfigurationSection Configuration { get; }

    /// <summary>The application's service provider.</summary>
    public IServiceProvider Services { get; }

    /// <summary>A clear configuration error about this backend.</summary>
    /// <param name="problem">What is wrong and what to do about it.</param>
    /// <returns>The exception, to throw.</returns>
    public AlchemyTypesConfigurationException Error(string problem)
        => new($"Storage backend '{Name}' (configuration section '{Configuration.Path}'): {problem}");
}
