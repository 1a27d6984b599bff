using AlchemyTypes.Storage;

namespace AlchemyTypes.Shared.Storage;

/// <summary>
/// Splits the keys of a batch delete into valid ones and invalid ones (with the reason), for backends outside the core:
/// an invalid key in a batch is reported as failed rather than failing the whole batch, the same on every backend.
/// </summary>
internal static class StorageKeyPartition
{
    public static (List<string> Valid, Dictionary<string, string> Invalid) Split(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var valid = new List<string>();
        var invalid = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            try
            {
                valid.Add(StorageKey.Validate(key));
            }
            catch (InvalidStorageKeyException ex)
            {
                invalid[key ?? ""] = "invalid key: " + ex.Message;
            }
        }

        return (valid, invalid);
    }
}
