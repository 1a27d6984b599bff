using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// A table that holds FileObject or FileObjectList columns, found from the relational model: every entity type mapped to
/// it (TPH, table splitting, owned types sharing the table, complex types) contributes its file columns. Rows are read with
/// keyset pagination on the primary key, so memory stays at one page whatever the table's size.
/// </summary>
internal sealed class FileTable
{
    private FileTable(ITable table, string entity, IReadOnlyList<IColumn> keyColumns, IReadOnlyList<FileColumn> fileColumns)
    {
        Table = table;
        Entity = entity;
        KeyColumns = keyColumns;
        FileColumns = fileColumns;
    }

    public ITable Table { get; }

    /// <summary>The display name of the main entity type mapped to the table.</summary>
    public string Entity { get; }

    public IReadOnlyList<IColumn> KeyColumns { get; }

    public IReadOnlyList<FileColumn> FileColumns { get; }

    public string DisplayName => Table.Schema is null ? Table.Name : $"{Table.Schema}.{Table.Name}";

    /// <summary>Every table of the model that has file columns.</summary>
    public static IReadOnlyList<FileTable> Discover(IModel model)
    {
        var tables = new List<FileTable>();
        foreach (var table in model.GetRelationalModel().Tables)
        {
            var columns = new List<FileColumn>();
            foreach (var column in table.Columns)
            {
                var property = column.PropertyMappings.Select(m => m.Property)
                    .FirstOrDefault(p => p.ClrType == typeof(FileObject) || p.ClrType == typeof(FileObjectList));
                if (property is not null)
                {
                    columns.Add(new FileColumn(
                        column,
                        property.ClrType == typeof(FileObjectList),
                        property.FindAnnotation(AlchemyTypesAnnotationNames.FileBackend)?.Value as string,
                        $"{property.DeclaringType.DisplayName()}.{property.Name}"));
                }
            }

            if (columns.Count == 0)
            {
                continue;
            }

            var key = table.PrimaryKey?.Columns
                ?? throw new AlchemyTypesConfigurationException(
                    $"The table '{table.Name}' has FileObject columns but no primary key, so its rows cannot be read in pages for file "
                        + $"maintenance. Give the entity a key.");
            var entity = table.EntityTypeMappings.FirstOrDefault(m => m.IsSharedTablePrincipal ?? true)?.TypeBase.DisplayName() ?? table.Name;
            tables.Add(new FileTable(table, entity, key, columns));
        }

        return tables;
    }

    /// <summary>The row id shown in reports: the key values, joined by ','.</summary>
    public static string RowId(object[] key) => string.Join(",", key.Select(k => Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// Reads the key and file columns of every row, ordered by key, a page at a time, on <paramref name="connection"/> (in
    /// <paramref name="transaction"/> when given). Key values are passed back to the database exactly as it returned them.
    /// </summary>
    public async IAsyncEnumerable<FileRow> ReadAsync(
        DbConnection connection,
        DbTransaction? transaction,
        ISqlGenerationHelper sql,
        string? providerName,
        int pageSize,
        object[]? startAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = startAfter;
        var isSqlServer = providerName?.Contains("SqlServer", StringComparison.Ordinal) == true;
        while (true)
        {
            var count = 0;
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = BuildSelect(sql, last, pageSize, isSqlServer, command);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var key = new object[KeyColumns.Count];
                    for (var i = 0; i < key.Length; i++)
                    {
                        key[i] = reader.GetValue(i);
                    }

                    var values = new string?[FileColumns.Count];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = await reader.IsDBNullAsync(key.Length + i,
                            cancellationToken).ConfigureAwait(false) ? null : reader.GetString(key.Length + i);
                    }

                    last = key;
                    count++;
                    yield return new FileRow(key, values);
                }
            }

            if (count < pageSize)
            {
                yield break;
            }
        }
    }

    private string BuildSelect(ISqlGenerationHelper sql, object[]? last, int pageSize, bool isSqlServer, DbCommand command)
    {
        var keys = KeyColumns.Select(c => sql.DelimitIdentifier(c.Name)).ToArray();
        var builder = new StringBuilder("SELECT ");
        if (isSqlServer)
        {
            builder.Append("TOP (").Append(pageSize).Append(") ");
        }

        builder.AppendJoin(", ", keys.Concat(FileColumns.Select(c => sql.DelimitIdentifier(c.Column.Name))));
        builder.Append(" FROM ").Append(sql.DelimitIdentifier(Table.Name, Table.Schema));
        if (last is not null)
        {
            // (k1 > @p0) OR (k1 = @p0 AND k2 > @p1) ...: keyset pagination without row-value syntax, for every provider.
            var names = new string[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "p" + i;
                parameter.Value = last[i];
                command.Parameters.Add(parameter);
                names[i] = sql.GenerateParameterNamePlaceholder(parameter.ParameterName);
            }

            builder.Append(" WHERE ");
            for (var i = 0; i < keys.Length; i++)
            {
                builder.Append(i == 0 ? "(" : " OR (");
                for (var j = 0; j < i; j++)
                {
                    builder.Append(keys[j]).Append(" = ").Append(names[j]).Append(" AND ");
                }

                builder.Append(keys[i]).Append(" > ").Append(names[i]).Append(')');
            }
        }

        builder.Append(" ORDER BY ").AppendJoin(", ", keys);
        if (!isSqlServer)
        {
            builder.Append(" LIMIT ").Append(pageSize);
        }

        return builder.ToString();
    }
}

/// <summary>A FileObject or FileObjectList column.</summary>
internal sealed record FileColumn(IColumn Column, bool IsList, string? Backend, string DisplayName);

/// <summary>One row: its key values (as the database returned them) and the JSON of its file columns.</summary>
internal sealed record FileRow(object[] Key, string?[] Values);

/// <summary>A file a committed row references.</summary>
internal sealed record FileReference(string Backend, string Key, string Entity, string Table, string Column, string RowId, long? Size, string? Checksum);

/// <summary>Isolation for a consistent scan: a snapshot where the provider has one, without blocking writers.</summary>
internal static class ScanIsolation
{
    /// <summary>
    /// PostgreSQL: REPEATABLE READ (a snapshot). SQLite: a deferred transaction (Microsoft.Data.Sqlite begins one for
    /// ReadUncommitted, which outside shared-cache mode reads committed data): a snapshot in WAL mode, without taking the write lock.
    /// </summary>
    public static IsolationLevel For(string? providerName)
        => providerName?.Contains("Sqlite", StringComparison.Ordinal) == true ? IsolationLevel.ReadUncommitted : IsolationLevel.RepeatableRead;
}
