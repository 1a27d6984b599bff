namespace AlchemyTypes;

/// <summary>Optional settings for a new <see cref="FileObject"/>.</summary>
public sealed class FileObjectOptions
{
    /// <summary>The MIME type; guessed from the file name's extension when null, else <c>application/octet-stream</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The storage key; generated (collision-free: a UUIDv7 folder plus a sanitised file name) when null.</summary>
    public string? Key { get; init; }

    /// <summary>
    /// User metadata stored with the object and in the row. Names: letters, digits and '_' (starting with a letter or '_'),
    /// at most 64 characters; values: printable ASCII; 2 KiB in all (the limits every backend accepts).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The name of the storage backend; the property's backend (or the default) when null.</summary>
    public string? Backend { get; init; }
}
