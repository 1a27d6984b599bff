namespace AlchemyTypes.Maintenance;

/// <summary>A stored object that no committed row references.</summary>
/// <param name="Backend">The storage backend.</param>
/// <param name="Key">The object key.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastModified">When it was written, as the backend lists it.</param>
public sealed record OrphanedObject(string Backend, string Key, long Size, DateTimeOffset? LastModified);
