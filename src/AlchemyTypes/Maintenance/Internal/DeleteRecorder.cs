using AlchemyTypes.Diagnostics.Internal;
using AlchemyTypes.Infrastructure.Internal;
using System.Data.Common;
using System.Text;
using AlchemyTypes.Keys;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// Records storage deletes in the <see cref="PendingStorageDelete"/> outbox with plain INSERT statements, in the context's
/// current transaction when one is open (so they commit or roll back with it), without touching the change tracker (so a
/// caller's unsaved changes are never saved by maintenance). Then deletes the recorded objects and removes their rows.
/// </summary>
internal static class DeleteRecorder
{
    private const int RowsPerStatement = 100;

    public static async Task<List<PendingStorageDelete>> RecordAsync(DbContext context, IReadOnlyCollection<(string Backend,
        string Key, string? ETag)> deletes, CancellationToken cancellationToken)
    {
        var rows = new List<PendingStorageDelete>(deletes.Count);
        if (deletes.Count == 0)
        {
            return rows;
        }

        var entity = context.Model.FindEntityType(typeof(PendingStorageDelete))
            ?? throw new AlchemyTypesConfigurationException("The model has no FileObject properties, so it has no storage delete outbox: "
                + "there is nothing to maintain.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = context.GetService<ISqlGenerationHelper>();
        var properties = new[]
        {
            entity.FindProperty(nameof(PendingStorageDelete.Id))!,
            entity.FindProperty(nameof(PendingStorageDelete.Backend))!,
            entity.FindProperty(nameof(PendingStorageDelete.Key))!,
            entity.FindProperty(nameof(PendingStorageDelete.ETag))!,
            entity.FindProperty(nameof(PendingStorageDelete.EnqueuedAt))!,
            entity.FindProperty(nameof(PendingStorageDelete.Attempts))!,
        };
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} "
            + $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) VALUES ";
        var now = AlchemyTypesClock.UtcNow(context);
        var provider = context.Database.ProviderName;
        var factory = context.Database.GetDbConnection().CreateCommand();
        await using (factory.ConfigureAwait(false))
        {
            foreach (var chunk in deletes.Distinct().Chunk(RowsPerStatement))
            {
                var text = new StringBuilder(head);
                var parameters = new List<DbParameter>(chunk.Length * properties.Length);
                foreach (var (backend, key, etag) in chunk)
                {
                    var row = new PendingStorageDelete
                    {
                        Id = UuidV7ValueGenerator.NewGuid(provider), Backend = backend, Key = key, ETag = etag, EnqueuedAt = now,
                    };
                    rows.Add(row);
                    object?[] values = [row.Id, row.Backend, row.Key, row.ETag, row.EnqueuedAt, 0];
                    text.Append(parameters.Count == 0 ? "(" : ", (");
                    for (var i = 0; i < properties.Length; i++)
                    {
                        var name = "m" + parameters.Count;
                        parameters.Add(properties[i].GetRelationalTypeMapping().CreateParameter(factory, name, values[i], nullable: values[i] is null));
                        text.Append(i == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
                    }

                    text.Append(')');
                }

                await context.Database.ExecuteSqlRawAsync(text.ToString(), parameters, cancellationToken).ConfigureAwait(false);
            }
        }

        return rows;
    }

    /// <summary>
    /// Deletes the objects of these recorded rows (each conditionally on its recorded ETag, so a later object under the same
    /// key is kept) and removes the rows whose object is gone; failures stay recorded for <c>ProcessPendingStorageDeletesAsync</c>.
    /// </summary>
    public static async Task<(int Deleted, List<PendingStorageDeleteFailure> Failures)> ProcessAsync(
        DbContext context, StorageRegistry registry, IReadOnlyCollection<PendingStorageDelete> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return (0, []);
        }

        // The recorded-delete path (traced as a pending-delete batch): each delete conditional on the version its row recorded.
        var processor = new RecordedDeleteProcessor(registry, NullLogger.Instance);
        var (done, failed) = await processor.DeleteAsync(rows, cancellationToken).ConfigureAwait(false);
        await PendingStorageDeleteRows.DeleteAsync(context, done, async: true, cancellationToken).ConfigureAwait(false);
        return (done.Count, [.. failed.Select(f => new PendingStorageDeleteFailure(f.Row.Backend, f.Row.Key, f.Error))]);
    }

}
