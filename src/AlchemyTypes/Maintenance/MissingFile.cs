namespace AlchemyTypes.Maintenance;

/// <summary>A committed row that references an object its backend does not hold (a lost file).</summary>
/// <param name="Entity">The entity type mapped to the row's table.</param>
/// <param name="Table">The table.</param>
/// <param name="Column">The FileObject property, as <c>Entity.Property</c>.</param>
/// <param name="RowId">The row's primary key value(s), joined by ','.</param>
/// <param name="Backend">The storage backend named by the row.</param>
/// <param name="Key">The object key.</param>
/// <param name="Reason">Why the object counts as missing.</param>
public sealed record MissingFile(string Entity, string Table, string Column, string RowId, string Backend, string Key, string Reason);
