namespace AlchemyTypes.Storage;

/// <summary>The properties of a stored object, as its backend reports them.</summary>
public sealed class StoredObjectInfo
{
    /// <summary>The object key.</summary>
    public required string Key { get; init; }

    /// <summary>The size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>The stored MIME type.</summary>
    public string ContentType { get; init; } = "application/octet-stream";

    /// <summary>The backend's entity tag, when it has one.</summary>
    public string? ETag { get; init; }

    /// <summary>When the object was last written, when the backend says.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>The backend's version id, where versioning is on.</summary>
    public string? VersionId { get; init; }

    /// <summary>User metadata stored with the object.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
