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
    // Well under every provider's parameter limit (SQLite's is the lowest, 32,766).
    private const int IdsPerStatement = 500;

    public static async Task DeleteAsync(DbContext context, IReadOnlyList<Guid> ids, bool async, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var entityType = context.Model.FindEntityType(typeof(PendingStorageDelete))
            ?? throw new AlchemyTypesConfigurationException(
                $"The model has no {nameof(PendingStorageDelete)} entity: it is added when the model has FileObject or FileObjectList properties.");
        var table = StoreObjectIdentifier.Create(entityType, StoreObjectType.Table)
            ?? throw new AlchemyTypesConfigurationException($"{nameof(PendingStorageDelete)} must be mapped to a table ({PendingStorageDelete.TableName}).");
        var idProperty = entityType.FindProperty(nameof(PendingStorageDelete.Id))!;
        var mapping = idProperty.GetRelationalTypeMapping();
        var sql = context.GetService<ISqlGenerationHelper>();
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
}
