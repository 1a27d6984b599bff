using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Removes <see cref="PendingStorageDelete"/> outbox rows by id with a plain <c>DELETE … WHERE id IN (…)</c>, written with
/// the provider's identifier quoting and the Id column's own type mapping. Not <c>ExecuteDelete</c>: MySql.EntityFrameworkCore
/// writes it as <c>DELETE FROM t AS a …</c>, a table alias that MariaDB (10.11) rejects as a syntax error.
/// </summary>
internal static class PendingStorageDeleteRows
{
    // A small constant bound on parameters per statement, whatever the backlog.
    private const int IdsPerStatement = 50;

    public static async Task DeleteAsync(DbContext context, IReadOnlyList<Guid> ids, bool async, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var (table, entityType, sql) = Table(context);
        var idProperty = entityType.FindProperty(nameof(PendingStorageDelete.Id))!;
        var mapping = idProperty.GetRelationalTypeMapping();
        var prefix = $"DELETE FROM {sql.DelimitIdentifier(table.Name, table.Schema)} WHERE {sql.DelimitIdentifier(idProperty.GetColumnName(table)!)} IN (";

        // A command only to create parameters of the provider's type; EF Core runs its own.
        using var factory = context.Database.GetDbConnection().CreateCommand();
        for (var start = 0; start < ids.Count; start += IdsPerStatement)
        {
            var count = Math.Min(IdsPerStatement, ids.Count - start);
            var parameters = new DbParameter[count];
            for (var i = 0; i < count; i++)
            {
                parameters[i] = mapping.CreateParameter(factory, "alchemy_id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[start + i]);
            }

            var text = prefix + string.Join(", ", parameters.Select((_, i) => "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}")) + ")";
            if (async)
            {
                await context.Database.ExecuteSqlRawAsync(text, parameters, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                context.Database.ExecuteSqlRaw(text, parameters);
            }
        }
    }

    /// <summary>Removes the rows claimed with <paramref name="claimToken"/> (one parameter); returns how many.</summary>
    public static Task<int> DeleteClaimedAsync(DbContext context, Guid claimToken, CancellationToken cancellationToken)
    {
        var (table, entityType, sql) = Table(context);
        var tokenProperty = entityType.FindProperty(nameof(PendingStorageDelete.ClaimToken))!;
        using var factory = context.Database.GetDbConnection().CreateCommand();
        var parameter = tokenProperty.GetRelationalTypeMapping().CreateParameter(factory, "alchemy_claim", claimToken);
        var text = $"DELETE FROM {sql.DelimitIdentifier(table.Name, table.Schema)} "
            + $"WHERE {sql.DelimitIdentifier(tokenProperty.GetColumnName(table)!)} = {{0}}";
        return context.Database.ExecuteSqlRawAsync(text, [parameter], cancellationToken);
    }

    /// <summary>
    /// MySQL and MariaDB: claims up to <paramref name="batchSize"/> unclaimed (or lease-expired) rows in id order with one
    /// <c>UPDATE … ORDER BY … LIMIT</c> (three parameters); returns how many. The EF Core form (<c>ExecuteUpdate</c> over
    /// <c>Take</c>) is translated by MySql.EntityFrameworkCore into <c>UPDATE … FROM (SELECT …)</c>, which MariaDB rejects. The
    /// maintenance lease row is never claimed.
    /// </summary>
    public static Task<int> ClaimMySqlAsync(DbContext context, Guid claimToken, DateTime claimedUntil, DateTime expiredBefore, int batchSize,
        CancellationToken cancellationToken)
    {
        var (table, entityType, sql) = Table(context);
        var token = entityType.FindProperty(nameof(PendingStorageDelete.ClaimToken))!;
        var until = entityType.FindProperty(nameof(PendingStorageDelete.ClaimedUntil))!;
        var id = entityType.FindProperty(nameof(PendingStorageDelete.Id))!;
        using var factory = context.Database.GetDbConnection().CreateCommand();
        DbParameter[] parameters =
        [
            token.GetRelationalTypeMapping().CreateParameter(factory, "alchemy_claim", claimToken),
            until.GetRelationalTypeMapping().CreateParameter(factory, "alchemy_until", claimedUntil),
            until.GetRelationalTypeMapping().CreateParameter(factory, "alchemy_expired", expiredBefore),
            id.GetRelationalTypeMapping().CreateParameter(factory, "alchemy_lease", AlchemyTypes.Maintenance.Internal.MaintenanceLock.LeaseId),
        ];
        var untilColumn = sql.DelimitIdentifier(until.GetColumnName(table)!);
        var text = $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} "
            + $"SET {sql.DelimitIdentifier(token.GetColumnName(table)!)} = {{0}}, {untilColumn} = {{1}} "
            + $"WHERE ({untilColumn} IS NULL OR {untilColumn} < {{2}}) AND {sql.DelimitIdentifier(id.GetColumnName(table)!)} <> {{3}} "
            + $"ORDER BY {sql.DelimitIdentifier(id.GetColumnName(table)!)} LIMIT {batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return context.Database.ExecuteSqlRawAsync(text, parameters, cancellationToken);
    }

    private static (StoreObjectIdentifier Table, IEntityType EntityType, ISqlGenerationHelper Sql) Table(DbContext context)
    {
        var entityType = context.Model.FindEntityType(typeof(PendingStorageDelete))
            ?? throw new AlchemyTypesConfigurationException(
                $"The model has no {nameof(PendingStorageDelete)} entity: it is added when the model has FileObject or FileObjectList properties.");
        var table = StoreObjectIdentifier.Create(entityType, StoreObjectType.Table)
            ?? throw new AlchemyTypesConfigurationException($"{nameof(PendingStorageDelete)} must be mapped to a table ({PendingStorageDelete.TableName}).");
        return (table, entityType, context.GetService<ISqlGenerationHelper>());
    }
}
