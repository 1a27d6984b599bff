using System.Runtime.CompilerServices;
using System.Text.Json;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>Streams every file reference of every committed row of the model, in one snapshot transaction.</summary>
internal static class FileReferenceReader
{
    public static async IAsyncEnumerable<FileReference> ReadAllAsync(
        DbContext context,
        StorageRegistry registry,
        int pageSize,
        Action<long>? rowsRead,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (context.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("File maintenance reads every table in a snapshot of its own; run it on a context without an "
                + "open transaction.");
        }

        var tables = FileTable.Discover(context.Model);
        var sql = context.GetService<ISqlGenerationHelper>();
        var provider = context.Database.ProviderName;
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = context.Database.GetDbConnection();
            var transaction = await connection.BeginTransactionAsync(ScanIsolation.For(provider), cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                long rows = 0;
                foreach (var table in tables)
                {
                    await foreach (var row in table.ReadAsync(connection, transaction, sql, provider, pageSize, null, cancellationToken).ConfigureAwait(false))
                    {
                        if (++rows % pageSize == 0)
                        {
                            rowsRead?.Invoke(rows);
                        }

                        foreach (var reference in References(table, row, registry))
                        {
                            yield return reference;
                        }
                    }
                }

                rowsRead?.Invoke(rows);
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    public static IEnumerable<FileReference> References(FileTable table, FileRow row, StorageRegistry registry)
    {
        for (var i = 0; i < table.FileColumns.Count; i++)
        {
            if (row.Values[i] is not { } json)
            {
                continue;
            }

            var column = table.FileColumns[i];
            foreach (var (backend, key, size, checksum) in Parse(json))
            {
                yield return new FileReference(
                    backend ?? column.Backend ?? registry.DefaultName, key, table.Entity, table.DisplayName, column.DisplayName,
                        FileTable.RowId(row.Key), size, checksum);
            }
        }
    }

    /// <summary>The backend, key, size and checksum of each FileObject in a column's JSON (an object, or an array of them).</summary>
    public static List<(string? Backend, string Key, long? Size, string? Checksum)> Parse(string json)
    {
        var result = new List<(string?, string, long?, string?)>();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in root.EnumerateArray())
            {
                Add(element);
            }
        }
        else
        {
            Add(root);
        }

        return result;

        void Add(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            var key = String(element, "key") ?? String(element, "path");
            if (key is null)
            {
                return;
            }

            long? size = element.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;
            result.Add((String(element, "backend"), key, size, String(element, "checksum")));
        }

        static string? String(JsonElement element, string name)
            => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
