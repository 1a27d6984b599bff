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
    /// <summary>
    /// The claim token of a <em>hold</em>: an old object a move keeps until <see cref="PendingStorageDelete.EnqueuedAt"/> (the
    /// hold's end). A hold is claimed until <see cref="HoldClaimedUntil"/>, so the outbox processor never runs it; reconcile
    /// keeps the object while the hold lasts, then deletes it only if no row references it, and removes the ended hold.
    /// </summary>
    public static readonly Guid MoveHold = new("6d6f7665-686f-6c64-a11c-4e3d7f2b9c01");

    /// <summary>The claim of every hold: never reached, so no processor run ever takes a hold over.</summary>
    public static readonly DateTime HoldClaimedUntil = new(9999, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private const int RowsPerStatement = 100;
    private const int KeysPerQuery = 100;

    /// <summary>
    /// Records <paramref name="deletes"/>; with <paramref name="heldUntil"/>, as holds ending then (see <see cref="MoveHold"/>),
    /// which nothing deletes without proof that no row references them.
    /// </summary>
    public static async Task<List<PendingStorageDelete>> RecordAsync(DbContext context, IReadOnlyCollection<(string Backend,
        string Key, string? ETag)> deletes, CancellationToken cancellationToken, DateTime? heldUntil = null)
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
            entity.FindProperty(nameof(PendingStorageDelete.ClaimToken))!,
            entity.FindProperty(nameof(PendingStorageDelete.ClaimedUntil))!,
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
                        Id = UuidV7ValueGenerator.NewGuid(provider), Backend = backend, Key = key, ETag = etag, EnqueuedAt = heldUntil ?? now,
                        ClaimToken = heldUntil is null ? null : MoveHold, ClaimedUntil = heldUntil is null ? null : HoldClaimedUntil,
                    };
                    rows.Add(row);
                    object?[] values = [row.Id, row.Backend, row.Key, row.ETag, row.EnqueuedAt, 0, row.ClaimToken, row.ClaimedUntil];
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

    /// <summary>
    /// The keys among <paramref name="keys"/> that the outbox names on <paramref name="backend"/>: any recorded delete or hold,
    /// or (with <paramref name="holdsEndingAfter"/>) only holds that last beyond that time. Runs in the context's transaction.
    /// </summary>
    public static async Task<HashSet<string>> RecordedKeysAsync(
        DbContext context, string backend, IEnumerable<string> keys, DateTime? holdsEndingAfter, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(KeysPerQuery))
        {
            var list = chunk.ToList();
            var query = context.Set<PendingStorageDelete>().AsNoTracking().Where(r => r.Backend == backend && list.Contains(r.Key));
            if (holdsEndingAfter is { } after)
            {
                query = query.Where(r => r.ClaimToken == MoveHold && r.EnqueuedAt > after);
            }

            found.UnionWith(await query.Select(r => r.Key).ToListAsync(cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    /// <summary>Removes the holds on <paramref name="backend"/> that ended at or before <paramref name="now"/>; returns how many.</summary>
    public static Task<int> RemoveEndedHoldsAsync(DbContext context, string backend, DateTime now, CancellationToken cancellationToken)
    {
        var entity = context.Model.FindEntityType(typeof(PendingStorageDelete))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = context.GetService<ISqlGenerationHelper>();
        var token = entity.FindProperty(nameof(PendingStorageDelete.ClaimToken))!;
        var ends = entity.FindProperty(nameof(PendingStorageDelete.EnqueuedAt))!;
        var name = entity.FindProperty(nameof(PendingStorageDelete.Backend))!;
        using var factory = context.Database.GetDbConnection().CreateCommand();
        DbParameter[] parameters =
        [
            token.GetRelationalTypeMapping().CreateParameter(factory, "h0", MoveHold),
            ends.GetRelationalTypeMapping().CreateParameter(factory, "h1", now),
            name.GetRelationalTypeMapping().CreateParameter(factory, "h2", backend),
        ];

        // Plain SQL (no alias): MariaDB rejects the aliased DELETE that ExecuteDelete writes there.
        var text = $"DELETE FROM {sql.DelimitIdentifier(table.Name, table.Schema)} WHERE {sql.DelimitIdentifier(token.GetColumnName(table)!)} = {{0}} "
            + $"AND {sql.DelimitIdentifier(ends.GetColumnName(table)!)} <= {{1}} AND {sql.DelimitIdentifier(name.GetColumnName(table)!)} = {{2}}";
        return context.Database.ExecuteSqlRawAsync(text, parameters, cancellationToken);
    }
}
