namespace AlchemyTypes.Storage.DependencyInjection;

/// <summary>
/// The backend types that configuration may name in <c>Type</c>. "Local" and "InMemory" are built in; provider packages
/// add theirs (<c>AddS3Type()</c>, <c>AddAzureBlobType()</c>). Type names are case-insensitive.
/// </summary>
public sealed class StorageBackendTypes
{
    private readonly Dictionary<string, Func<StorageBackendFactoryContext, IStorageBackend>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the set with the built-in types, "Local" (setting <c>RootPath</c>) and "InMemory".</summary>
    public StorageBackendTypes()
    {
        Add("Local", context =>
        {
            var root = context.Configuration["RootPath"];
            return string.IsNullOrWhiteSpace(root)
                ? throw context.Error("a Local backend needs RootPath, the folder that holds the files.")
                : new LocalFileSystemStorageBackend(root);
        });
        Add("InMemory", _ => new InMemoryStorageBackend());
    }

    /// <summary>The registered type names.</summary>
    public IReadOnlyCollection<string> Names => _factories.Keys;

    /// <summary>Registers (or replaces) a backend type.</summary>
    /// <param name="typeName">The value of <c>Type</c> that selects it.</param>
    /// <param name="factory">Creates the backend from its section; called once per configured backend, at first use of the registry.</param>
    /// <returns>This set.</returns>
    public StorageBackendTypes Add(string typeName, Func<StorageBackendFactoryContext, IStorageBackend> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[typeName] = factory;
        return this;
    }

    /// <summary>Creates the backend a section describes.</summary>
    /// <param name="context">The backend's name, section and services.</param>
    /// <returns>The backend.</returns>
    /// <exception cref="AlchemyTypesConfigurationException"><c>Type</c> is missing or not registered.</exception>
    public IStorageBackend Create(StorageBackendFactoryContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var typeName = context.Configuration["Type"];
        if (string.IsNullOrWhiteSpace(typeName))
        {
            throw context.Error($"Type is missing; set it to one of {Known()}.");
        }

        return _factories.TryGetValue(typeName, out var factory)
            ? factory(context) ?? throw context.Error($"the factory of type '{typeName}' returned no backend.")
            : throw context.Error($"Type '{typeName}' is not registered; known types: {Known()}. "
                + "Cloud types come from their packages: AddAlchemyTypesStorage(section, types => types.AddS3Type().AddAzureBlobType()).");
    }

    private string Known() => string.Join(", ", _factories.Keys.Order(StringComparer.OrdinalIgnoreCase).Select(k => $"'{k}'"));
}
