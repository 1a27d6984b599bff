namespace AlchemyTypes.Maintenance;

/// <summary>A stored object whose content no longer matches what its row recorded (or that is gone).</summary>
/// <param name="Entity">The entity type mapped to the row's table.</param>
/// <param name="Table">The table.</param>
/// <param name="Column">The FileObject property, as <c>Entity.Property</c>.</param>
/// <param name="RowId">The row's primary key value(s), joined by ','.</param>
/// <param name="Backend">The storage backend.</param>
/// <param name="Key">The object key.</param>
/// <param name="ExpectedSize">The size the row records.</param>
/// <param name="ActualSize">The size read back, or null when the object is missing.</param>
/// <param name="ExpectedChecksum">The checksum the row records (<c>sha256:</c> hex).</param>
/// <param name="ActualChecksum">The checksum of the content read back, or null when the object is missing.</param>
public sealed record FileScrubMismatch(
    string Entity, string Table, string Column, string RowId, string Backend, string Key, long? ExpectedSize, long? ActualSize,
        string? ExpectedChecksum, string? ActualChecksum);
