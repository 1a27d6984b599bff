namespace AlchemyTypes.AspNetCore.HealthChecks;

/// <summary>How the storage health check probes each backend (see <c>AddAlchemyTypesStorage</c> on <c>IHealthChecksBuilder</c>).</summary>
public sealed class StorageHealthCheckOptions
{
    /// <summary>The longest time one backend may take to answer the probe (default 5 seconds; more than zero, at most 5 minutes).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The names of the backends to probe; every registered backend when null.</summary>
    public IReadOnlyList<string>? Backends { get; set; }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is zero or less, or more than 5 minutes.</exception>
    /// <exception cref="ArgumentException">A backend name is not a valid storage backend name, or the list is empty.</exception>
    public void Validate()
    {
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The storage health check timeout must be more than zero and at "
                + "most 5 minutes (a few seconds is typical: a health endpoint must answer before its caller gives up).");
        }

        if (Backends is { Count: 0 })
        {
            throw new ArgumentException("StorageHealthCheckOptions.Backends is empty: name at least one backend, or leave it null to probe "
                + "every registered backend.", nameof(Backends));
        }

        foreach (var name in Backends ?? [])
        {
            try
            {
                Storage.StorageRegistry.ValidateName(name);
            }
            catch (AlchemyTypesConfigurationException ex)
            {
                throw new ArgumentException(ex.Message, nameof(Backends), ex);
            }
        }
    }
}
