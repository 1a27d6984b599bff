namespace AlchemyTypes.Storage;

/// <summary>
/// The named storage backends of an application, one of them the default. Built by
/// <c>AddAlchemyTypes(a => a.AddStorage("name", backend))</c>, or created once and shared (for instance as a dependency
/// injection singleton) and passed with <c>a.UseStorageRegistry(registry)</c>. There is no global registry.
/// </summary>
public sealed class StorageRegistry
{
    private readonly Dictionary<string, IStorageBackend> _backends;

    /// <summary>Creates a registry.</summary>
    /// <param name="backends">The backends by name (names are case-sensitive, 1–64 characters of letters, digits, '-', '_', '.').</param>
    /// <param name="defaultName">The default backend; the first one when null.</param>
    /// <exception cref="AlchemyTypesConfigurationException">No backend, a bad or duplicate name, or an unknown default.</exception>
    public StorageRegistry(IEnumerable<KeyValuePair<string, IStorageBackend>> backends, string? defaultName = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        _backends = new Dictionary<string, IStorageBackend>(StringComparer.Ordinal);
        foreach (var (name, backend) in backends)
        {
            ValidateName(name);
            ArgumentNullException.ThrowIfNull(backend);
            if (!_backends.TryAdd(name, backend))
            {
                throw new AlchemyTypesConfigurationException($"The storage backend name '{name}' is registered twice. Give each backend its own name.");
            }

            defaultName ??= name;
        }

        if (defaultName is null)
        {
            throw new AlchemyTypesConfigurationException("A storage registry needs at least one backend: AddAlchemyTypes(a => "
                + "a.AddStorage(\"files\", backend)).");
        }

        DefaultName = defaultName;
        Default = Get(defaultName);
    }

    /// <summary>The name of the default backend, used by FileObject properties and values that name none.</summary>
    public string DefaultName { get; }

    /// <summary>The default backend.</summary>
    public IStorageBackend Default { get; }

    /// <summary>The registered names.</summary>
    public IReadOnlyCollection<string> Names => _backends.Keys;

    /// <summary>The backend called <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The backend.</returns>
    /// <exception cref="AlchemyTypesConfigurationException">No backend has that name.</exception>
    public IStorageBackend Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _backends.TryGetValue(name, out var backend)
            ? backend
            : throw new AlchemyTypesConfigurationException(
                $"No storage backend named '{name}' is registered (registered: {string.Join(", ", _backends.Keys.Select(k => $"'{k}'"))}). "
                + $"Register it with AddAlchemyTypes(a => a.AddStorage(\"{name}\", backend)), or fix the name.");
    }

    /// <summary>Looks up a backend without throwing.</summary>
    /// <param name="name">The name.</param>
    /// <param name="backend">The backend, when found.</param>
    /// <returns>True when found.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IStorageBackend? backend)
        => _backends.TryGetValue(name, out backend);

    /// <summary>Checks a backend name: 1–64 characters of letters, digits, '-', '_' and '.'.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="AlchemyTypesConfigurationException">The name is not valid.</exception>
    public static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new AlchemyTypesConfigurationException($"'{name}' is not a valid storage backend name: use 1 to 64 letters, digits, '-', '_' or '.'.");
        }
    }
}
