namespace AlchemyTypes;

/// <summary>A recorded delete that failed.</summary>
/// <param name="Backend">The storage backend name.</param>
/// <param name="Key">The object key.</param>
/// <param name="Error">Why it failed.</param>
public sealed record PendingStorageDeleteFailure(string Backend, string Key, string Error);
