namespace AlchemyTypes.Files.Internal;

/// <summary>One stored version of an object: backend name, key and the ETag the backend gave it.</summary>
internal readonly record struct StoredFileRef(string Backend, string Key, string? ETag);
