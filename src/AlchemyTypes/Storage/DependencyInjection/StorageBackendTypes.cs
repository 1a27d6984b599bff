namespace AlchemyTypes.Storage.DependencyInjection;

/// <summary>
/// The backend types that configuration may name in <c>Type</c>. "Local" and "InMemory" are built in; provider packages
/// add theirs (<c>AddS3Type()</c>, <c>AddAzureBlobType()</c>). Type names are case-insensitive.
/// </summary>
public sealed class StorageBackendTypes
{
    private readonly Dictionary<string, Func<StorageBackendFactoryContext, IStorageBackend>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the set with the built-in types, "Local" (setting <c>RootPath</c>;
    /// <c>SigningKey</c> (Base64) with <c>BaseUrl</c> for signed URLs) and "InMemory".</summary>
    public StorageBackendTypes()
    {
        Add("Local", context =>
        {
            var root = context.Configuration["RootPath"];
            if (string.IsNullOrWhiteSpace(root))
            {
                throw context.Error("a Local backend needs RootPath, the folder that holds the files.");
            }

            var key = context.Configuration["SigningKey"];
            var baseUrl = context.Configuration["BaseUrl"];
            if (key is null && baseUrl is null)
            {
                return new LocalFileSystemStorageBackend(root);
            }

            byte[]? secret = null;
            if (key is not null)
            {
                var buffer = new byte[key.Length];
                secret = Convert.TryFromBase64String(key, buffer, out var length) && length > 0
                    ? buffer[..length]
                    : throw context.Error("SigningKey must be Base64 (at least 32 random bytes, e.g. RandomNumberGenerator.GetBytes(32)).");
            }

            if (baseUrl is not null && !Uri.TryCreate(baseUrl, UriKind.Absolute, out _))
            {
                throw context.Error($"BaseUrl '{baseUrl}' is not an absolute URL (e.g. https://example.com/files/).");
            }

            return new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
            {
                RootDirectory = root,
                SigningKey = secret,
                BaseUrl = baseUrl is null ? null : new Uri(baseUrl),
            });
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
