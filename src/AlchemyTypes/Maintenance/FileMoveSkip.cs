namespace AlchemyTypes.Maintenance;

/// <summary>A file a move left where it was, and why; its row still points at the old backend, whose object is kept.</summary>
/// <param name="Entity">The entity type mapped to the row's table.</param>
/// <param name="Table">The table.</param>
/// <param name="Column">The FileObject property, as <c>Entity.Property</c>.</param>
/// <param name="RowId">The row's primary key value(s), joined by ','.</param>
/// <param name="Key">The object key.</param>
/// <param name="Reason">
/// Why: the content read from the old backend does not match the row's size or checksum, the object is missing, the target
/// holds other content under the key, or the row changed during the move (run the move again for those).
/// </param>
public sealed record FileMoveSkip(string Entity, string Table, string Column, string RowId, string Key, string Reason);
