using AlchemyTypes.Diagnostics.Internal;
using AlchemyTypes.Infrastructure.Internal;
using System.Data.Common;
using System.Text;
using AlchemyTypes.Keys;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

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
        string Key)> deletes, CancellationToken cancellationToken)
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
                foreach (var (backend, key) in chunk)
                {
                    var row = new PendingStorageDelete { Id = UuidV7ValueGenerator.NewGuid(provider), Backend = backend, Key = key, EnqueuedAt = now };
                    rows.Add(row);
                    object[] values = [row.Id, row.Backend, row.Key, row.EnqueuedAt, 0];
                    text.Append(parameters.Count == 0 ? "(" : ", (");
                    for (var i = 0; i < properties.Length; i++)
                    {
                        var name = "m" + parameters.Count;
                        parameters.Add(properties[i].GetRelationalTypeMapping().CreateParameter(factory, name, values[i], nullable: false));
                        text.Append(i == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
                    }

                    text.Append(')');
                }

                await context.Database.ExecuteSqlRawAsync(text.ToString(), parameters, cancellationToken).ConfigureAwait(false);
            }
        }

        return rows;
    }

    /// <summary>Deletes the objects of these recorded rows and removes the rows whose object is gone; failures stay recorded.</summary>
    public static async Task<(int Deleted, List<PendingStorageDeleteFailure> Failures)> ProcessAsync(
        DbContext context, StorageRegistry registry, IReadOnlyCollection<PendingStorageDelete> rows, CancellationToken cancellationToken)
    {
        using var activity = StorageTelemetry.StartActivity(PendingDeleteTelemetry.BatchSpan);
        activity?.SetTag(PendingDeleteTelemetry.BatchSizeAttribute, rows.Count);
        try
        {
            var (deleted, failures) = await DeleteAndForgetAsync(context, registry, rows, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(PendingDeleteTelemetry.DeletedAttribute, deleted);
            activity?.SetTag(PendingDeleteTelemetry.FailedAttribute, failures.Count);
            return (deleted, failures);
        }
        catch (Exception ex)
        {
            StorageTelemetry.SetError(activity, ex);
            throw;
        }
    }

    private static async Task<(int Deleted, List<PendingStorageDeleteFailure> Failures)> DeleteAndForgetAsync(
        DbContext context, StorageRegistry registry, IReadOnlyCollection<PendingStorageDelete> rows, CancellationToken cancellationToken)
    {
        var done = new List<Guid>();
        var failures = new List<PendingStorageDeleteFailure>();
        foreach (var group in rows.GroupBy(r => r.Backend, StringComparer.Ordinal))
        {
            var (doneBefore, failedBefore) = (done.Count, failures.Count);
            await DeleteGroupAsync(group.Key, registry, group, done, failures, cancellationToken).ConfigureAwait(false);
            StorageTelemetry.RecordProcessed(group.Key, done.Count - doneBefore, failures.Count - failedBefore);
        }

        foreach (var ids in done.Chunk(500))
        {
            await context.Set<PendingStorageDelete>().Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return (done.Count, failures);
    }

    private static async Task DeleteGroupAsync(
        string backend, StorageRegistry registry, IEnumerable<PendingStorageDelete> group, List<Guid> done, List<PendingStorageDeleteFailure> failures,
            CancellationToken cancellationToken)
    {
        if (!registry.TryGet(backend, out var storage))
        {
            failures.AddRange(group.Select(r => new PendingStorageDeleteFailure(r.Backend, r.Key, $"The storage backend '{r.Backend}' is "
                + $"not registered.")));
            return;
        }

        foreach (var chunk in group.Chunk(1000))
        {
            try
            {
                var result = await TracedStorage.DeleteManyAsync(backend, storage, chunk.Select(r => r.Key).ToList(), async: true, cancellationToken)
                    .ConfigureAwait(false);
                foreach (var row in chunk)
                {
                    if (result.Failed.TryGetValue(row.Key, out var error))
                    {
                        failures.Add(new PendingStorageDeleteFailure(row.Backend, row.Key, error));
                    }
                    else
                    {
                        done.Add(row.Id);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.AddRange(chunk.Select(r => new PendingStorageDeleteFailure(r.Backend, r.Key, ex.Message)));
            }
        }
    }
}
