namespace AlchemyTypes.Storage;

/// <summary>Settings for one upload.</summary>
public sealed class StorageUploadOptions
{
    /// <summary>The MIME type to store with the object; <c>application/octet-stream</c> when null.</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata to store with the object (ASCII names; values are kept as given where the backend allows).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Whether an existing object with the same key may be replaced. False by default: nothing stored is lost by accident.</summary>
    public bool Overwrite { get; init; }
}
