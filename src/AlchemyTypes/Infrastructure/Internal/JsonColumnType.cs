using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>
/// The store type for FileObject JSON, asked from the database provider's own type mappings rather than recognised by the
/// provider's name: first the type the provider uses for JSON documents (<see cref="JsonTypePlaceholder"/>, EF Core's JSON
/// column mapping: <c>jsonb</c> on PostgreSQL, <c>json</c> on SQL Server where the configured version has it), then, for a
/// provider without one, a <c>json</c> store type the provider maps to <see cref="string"/> (MySQL and MariaDB).
/// Null means the provider's ordinary string column (SQLite <c>TEXT</c>, SQL Server <c>nvarchar(max)</c>).
/// </summary>
internal static class JsonColumnType
{
    public static string? Find(ITypeMappingSource typeMappingSource)
    {
        if (typeMappingSource is not IRelationalTypeMappingSource source)
        {
            return null;
        }

        var text = source.FindMapping(typeof(string))?.StoreType;
        if (source.FindMapping(typeof(JsonTypePlaceholder)) is { } document)
        {
            return string.Equals(document.StoreType, text, StringComparison.OrdinalIgnoreCase) ? null : document.StoreType;
        }

        // A provider that does not know a store type answers with its own fallback (SQLite: a byte[] mapping by affinity).
        return source.FindMapping("json") is { } json && json.ClrType == typeof(string) ? "json" : null;
    }
}
