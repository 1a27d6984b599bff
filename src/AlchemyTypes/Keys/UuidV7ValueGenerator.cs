using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.ValueGeneration;
using UUIDNext;

namespace AlchemyTypes.Keys;

/// <summary>
/// Generates time-ordered keys on the client, laid out so that they sort in insertion order in the database in use:
/// RFC 9562 version 7 UUIDs for PostgreSQL (<c>uuid</c>), SQLite and other databases, and UUIDNext's
/// SQL Server layout (timestamp in bytes 10–15, the bytes <c>uniqueidentifier</c> compares first) for SQL Server.
/// Values are strictly increasing within a process, also within one millisecond.
/// </summary>
public sealed class UuidV7ValueGenerator : ValueGenerator<Guid>
{
    /// <inheritdoc />
    public override bool GeneratesTemporaryValues => false;

    /// <inheritdoc />
    public override Guid Next(EntityEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return NewGuid(entry.Context.Database.ProviderName);
    }

    /// <summary>Creates a UUID that sorts in creation order in the database of the given EF Core provider.</summary>
    /// <param name="providerName">An EF Core provider name, such as <c>Npgsql.EntityFrameworkCore.PostgreSQL</c>; null for a generic version 7 UUID.</param>
    /// <returns>The UUID.</returns>
    public static Guid NewGuid(string? providerName) => Uuid.NewDatabaseFriendly(DatabaseFor(providerName));

    internal static Database DatabaseFor(string? providerName) => providerName switch
    {
        null => Database.Other,
        _ when providerName.EndsWith(".SqlServer", StringComparison.Ordinal) => Database.SqlServer,
        _ when providerName.EndsWith(".Sqlite", StringComparison.Ordinal) => Database.SQLite,
        _ when providerName.Contains("PostgreSQL", StringComparison.OrdinalIgnoreCase) => Database.PostgreSql,
        _ => Database.Other,
    };
}
