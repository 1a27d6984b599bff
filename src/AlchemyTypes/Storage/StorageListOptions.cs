namespace AlchemyTypes.Storage;

/// <summary>What <see cref="IStorageBackend.ListAsync"/> lists: a key prefix, where to resume, and how many keys a request fetches.</summary>
public sealed class StorageListOptions
{
    /// <summary>The largest page a backend is asked for (the S3 and Azure limit).</summary>
    public const int MaxPageSize = 5000;

    /// <summary>Only keys that start with this string (a plain string prefix, not necessarily whole segments); all keys when null or empty.</summary>
    public string? Prefix { get; init; }

    /// <summary>Only keys after this one in <see cref="StorageKey.Order"/>: resume a listing where it stopped. Null starts at the first key.</summary>
    public string? StartAfter { get; init; }

    /// <summary>How many keys one request to the backend returns (1 to <see cref="MaxPageSize"/>; S3 returns at most 1,000).</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The page size is not between 1 and <see cref="MaxPageSize"/>.</exception>
    /// <exception cref="InvalidStorageKeyException">The prefix or start key contains a control character or a backslash.</exception>
    public void Validate()
    {
        if (PageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, $"A listing page holds 1 to {MaxPageSize} keys.");
        }

        foreach (var value in new[] { Prefix, StartAfter })
        {
            if (value is not null && value.Any(c => char.IsControl(c) || c == '\\'))
            {
                throw new InvalidStorageKeyException($"The listing prefix or start key '{value}' contains a control character or a "
                    + $"backslash; no key can match it.");
            }
        }
    }
}
