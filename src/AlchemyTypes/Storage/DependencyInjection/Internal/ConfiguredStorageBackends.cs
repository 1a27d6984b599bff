using Microsoft.Extensions.Configuration;

namespace AlchemyTypes.Storage.DependencyInjection.Internal;

/// <summary>
/// The backends created from configuration, owned by the service provider: created once, disposed with it (backends
/// that own their clients release them then).
/// </summary>
internal sealed class ConfiguredStorageBackends : IDisposable, IAsyncDisposable
{
    public const string BackendsKey = "Backends";
    public const string DefaultKey = "Default";

    private readonly List<IStorageBackend> _created = [];

    public ConfiguredStorageBackends(IConfiguration configuration, StorageBackendTypes types, IServiceProvider services)
    {
        var sections = configuration.GetSection(BackendsKey).GetChildren().ToList();
        var path = (configuration as IConfigurationSection)?.Path ?? "(root)";
        if (sections.Count == 0)
        {
            throw new AlchemyTypesConfigurationException(
                $"The storage configuration '{path}' has no backends: add '{BackendsKey}': {{ \"files\": {{ \"Type\": \"Local\", \"RootPath\": \"…\" }} }}.");
        }

        var defaultName = configuration[DefaultKey];
        if (string.IsNullOrWhiteSpace(defaultName))
        {
            defaultName = sections.Count == 1
                ? sections[0].Key
                : throw new AlchemyTypesConfigurationException(
                    $"The storage configuration '{path}' has {sections.Count} backends and no '{DefaultKey}': name the default one (one of {string.Join(", ", sections.Select(s => $"'{s.Key}'"))}).");
        }

        var backends = new List<KeyValuePair<string, IStorageBackend>>(sections.Count);
        try
        {
            foreach (var section in sections)
            {
                StorageRegistry.ValidateName(section.Key);
                var backend = types.Create(new StorageBackendFactoryContext(section.Key, section, services));
                _created.Add(backend);
                backends.Add(new(section.Key, backend));
            }

            Registry = new StorageRegistry(backends, defaultName);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public StorageRegistry Registry { get; }

    public void Dispose()
    {
        foreach (var backend in _created)
        {
            (backend as IDisposable)?.Dispose();
        }

        _created.Clear();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
