using AlchemyTypes.Storage;

namespace AlchemyTypes.Shared.Transfers;

/// <summary>The checks every cloud provider's options share; each message names the option and says what to use.</summary>
internal static class TransferOptionRules
{
    /// <summary>Checks the options every cloud provider has.</summary>
    /// <param name="owner">The options class name ("S3StorageOptions").</param>
    /// <param name="keyPrefix">The key prefix, or null.</param>
    /// <param name="threshold">The single-request threshold option's name and value.</param>
    /// <param name="maxConcurrency">Parts in flight.</param>
    /// <param name="cleanupTimeout">The clean-up timeout option's name and value.</param>
    /// <param name="requestTimeout">How long one request may go without progress.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <exception cref="AlchemyTypesConfigurationException">A value is out of range; the message says which.</exception>
    public static void Validate(
        string owner,
        string? keyPrefix,
        (string Name, int? Value) threshold,
        int maxConcurrency,
        (string Name, TimeSpan Value) cleanupTimeout,
        TimeSpan requestTimeout,
        TimeProvider? timeProvider)
    {
        if (keyPrefix is not null && (!keyPrefix.EndsWith('/') || !StorageKey.IsValid(keyPrefix.TrimEnd('/'))))
        {
            throw new AlchemyTypesConfigurationException(
                $"{owner}.KeyPrefix '{keyPrefix}' is not valid: it must obey the storage key rules and end with '/', like 'tenant-a/files/'.");
        }

        if (threshold.Value is < 0)
        {
            throw new AlchemyTypesConfigurationException($"{owner}.{threshold.Name} is {threshold.Value}; use 0 or more bytes (0: never one request).");
        }

        if (maxConcurrency is < 1 or > 16)
        {
            throw new AlchemyTypesConfigurationException($"{owner}.MaxConcurrency is {maxConcurrency}; use 1 to 16.");
        }

        if (cleanupTimeout.Value < TimeSpan.Zero)
        {
            throw new AlchemyTypesConfigurationException($"{owner}.{cleanupTimeout.Name} must not be negative.");
        }

        if (requestTimeout <= TimeSpan.Zero && requestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new AlchemyTypesConfigurationException(
                $"{owner}.RequestTimeout is {requestTimeout}; use a positive time (30 seconds by default) or Timeout.InfiniteTimeSpan for none.");
        }

        if (timeProvider is null)
        {
            throw new AlchemyTypesConfigurationException($"{owner}.TimeProvider is null; leave it at TimeProvider.System or set a clock.");
        }
    }
}
