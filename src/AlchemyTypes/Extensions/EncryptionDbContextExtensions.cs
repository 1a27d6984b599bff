using AlchemyTypes;
using System.Linq.Expressions;
using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using AlchemyTypes.Encryption.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Key rotation and format upgrades for encrypted string properties and their blind indexes.</summary>
public static class EncryptionDbContextExtensions
{
    /// <summary>
    /// Re-encrypts, with the key ring's current key and in the current format (<c>v2</c>, bound to its table and column),
    /// every encrypted value of <typeparamref name="TEntity"/> that was written with another key or in the older <c>v1</c>
    /// format. Rows are found by the version and key id in the stored header (no decryption of up-to-date rows),
    /// loaded <paramref name="batchSize"/> at a time, and saved with <c>SaveChangesAsync</c> (one transaction per batch),
    /// then detached. Idempotent and resumable: run it again after an interruption; when nothing is left it returns 0.
    /// Keep the old keys in the ring until it has run for every entity type with encrypted properties.
    /// Other pending changes of the context are saved with the first batch: call it on a fresh context.
    /// A row whose value cannot be read (copied from another row of a property bound to its row, altered, or under a key the
    /// ring no longer holds) does not stop the rotation: it is left as it is and reported in
    /// <see cref="ReEncryptionResult.Skipped"/>, with the failure; every other row is re-encrypted.
    /// </summary>
    /// <typeparam name="TEntity">An entity type mapped to a table, with at least one encrypted property.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="batchSize">Rows per batch (1 to 100,000).</param>
    /// <param name="cancellationToken">Stops between batches; batches already saved stay saved.</param>
    /// <returns>How many rows were re-encrypted, in how many batches, and the rows skipped with the reason.</returns>
    public static async Task<ReEncryptionResult> ReEncryptAsync<TEntity>(this DbContext context, int batchSize = 500,
        CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 100_000);

        var entityType = context.Model.FindEntityType(typeof(TEntity))
            ?? throw new AlchemyTypesConfigurationException($"{typeof(TEntity).Name} is not an entity type of {context.GetType().Name}.");
        var table = entityType.GetTableName()
            ?? throw new AlchemyTypesConfigurationException($"{entityType.DisplayName()} is not mapped to a table; ReEncryptAsync works on tables only.");
        var storeObject = StoreObjectIdentifier.Table(table, entityType.GetSchema());
        var encrypted = entityType.GetProperties()
            .Where(p => p.GetValueConverter() is EncryptedStringConverter)
            .ToArray();
        if (encrypted.Length == 0)
        {
            throw new AlchemyTypesConfigurationException($"{entityType.DisplayName()} has no encrypted properties: nothing to re-encrypt.");
        }

        var ring = ((EncryptedStringConverter)encrypted[0].GetValueConverter()!).KeyRing;
        var currentKeyId = ring.CurrentKeyId
            ?? throw new AlchemyTypesConfigurationException("The encryption key ring is empty: add a key before re-encrypting.");

        // Key ids are limited to A-Z a-z 0-9 . - so the LIKE pattern needs no escaping; it is passed as a parameter anyway.
        var sql = context.GetService<ISqlGenerationHelper>();
        // Current: the key ring's current key, in the format the property is written in (v3 when bound to its row). Only the
        // patterns used become parameters.
        var patterns = new List<object>();
        var conditions = encrypted.Select(p =>
        {
            var column = sql.DelimitIdentifier(p.GetColumnName(storeObject)!);
            var version = ((EncryptedStringConverter)p.GetValueConverter()!).Rows is null
                ? EncryptedStringCipher.Version : EncryptedStringCipher.RowBoundVersion;
            var pattern = version + ":" + currentKeyId + ":%";
            var index = patterns.IndexOf(pattern);
            if (index < 0)
            {
                index = patterns.Count;
                patterns.Add(pattern);
            }

            return $"({column} IS NOT NULL AND {column} NOT LIKE {{{index}}})";
        }).ToList();
        var query = $"SELECT * FROM {sql.DelimitIdentifier(table, entityType.GetSchema())} WHERE {string.Join(" OR ", conditions)}";

        var key = entityType.FindPrimaryKey()
            ?? throw new AlchemyTypesConfigurationException(
                $"{entityType.DisplayName()} has no primary key; ReEncryptAsync needs one to report the rows it skips.");
        var skipped = new List<ReEncryptionSkippedRow>();
        var rows = 0;
        var batches = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pending = ExcludeRows(context.Set<TEntity>().FromSqlRaw(query, [.. patterns]), key, skipped);
            var batch = await LoadBatchAsync(context, pending, key, batchSize, skipped, cancellationToken).ConfigureAwait(false);
            if (batch is null)
            {
                // Every row of this batch was skipped: the next query excludes them.
                continue;
            }

            if (batch.Count == 0)
            {
                break;
            }

            var entries = batch.Select(context.Entry).ToList();
            foreach (var entry in entries)
            {
                foreach (var property in encrypted)
                {
                    var propertyEntry = entry.Property(property);
                    if (propertyEntry.CurrentValue is not null)
                    {
                        propertyEntry.IsModified = true;
                    }
                }
            }

            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                entry.State = EntityState.Detached;
            }

            rows += batch.Count;
            batches++;
            if (ring.CurrentKeyId != currentKeyId)
            {
                // The current key changed while we ran: the query's pattern is stale; the caller can run again.
                break;
            }
        }

        return new ReEncryptionResult(rows, batches, skipped);
    }

    /// <summary>
    /// Recomputes every blind index of <typeparamref name="TEntity"/> with the ring's current blind-index key: run it after
    /// <see cref="EncryptionKeyRing.SetBlindIndexKey"/> replaced the key (rotation), and once after upgrading from a release
    /// whose blind indexes used one key for every column. Until it has run, equality lookups miss the rows not yet
    /// re-indexed. Rows are decrypted, loaded <paramref name="batchSize"/> at a time in primary-key order, and only their
    /// blind-index columns are written (one <c>SaveChangesAsync</c> and transaction per batch), then detached. Idempotent:
    /// run it again after an interruption. Other pending changes of the context are saved with the first batch: call it on
    /// a fresh context.
    /// </summary>
    /// <typeparam name="TEntity">An entity type with at least one blind-indexed encrypted property.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="batchSize">Rows per batch (1 to 100,000).</param>
    /// <param name="cancellationToken">Stops between batches; batches already saved stay saved.</param>
    /// <returns>How many rows were re-indexed, in how many batches.</returns>
    public static async Task<ReIndexResult> ReIndexAsync<TEntity>(this DbContext context, int batchSize = 500, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 100_000);

        var entityType = context.Model.FindEntityType(typeof(TEntity))
            ?? throw new AlchemyTypesConfigurationException($"{typeof(TEntity).Name} is not an entity type of {context.GetType().Name}.");
        var indexed = entityType.GetProperties()
            .Where(p => p.GetValueConverter() is EncryptedStringConverter)
            .Select(p => (
                Property: p,
                Shadow: p.FindAnnotation(AlchemyTypes.Infrastructure.Internal.AlchemyTypesAnnotationNames.BlindIndexProperty)?.Value
                    is string shadow ? entityType.FindProperty(shadow) : null))
            .Where(p => p.Shadow is not null)
            .ToArray();
        if (indexed.Length == 0)
        {
            throw new AlchemyTypesConfigurationException($"{entityType.DisplayName()} has no blind-indexed encrypted properties: nothing to re-index.");
        }

        var key = entityType.FindPrimaryKey()
            ?? throw new AlchemyTypesConfigurationException($"{entityType.DisplayName()} has no primary key; ReIndexAsync pages through rows by primary key.");
        var ordered = OrderByKey(context.Set<TEntity>().AsTracking(), key);

        var rows = 0;
        var batches = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await ordered.Skip(rows).Take(batchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            var entries = batch.Select(context.Entry).ToList();
            foreach (var entry in entries)
            {
                foreach (var (property, shadow) in indexed)
                {
                    // The shadow property's converter turns the plaintext into the column's keyed HMAC when the row is written.
                    var shadowEntry = entry.Property(shadow!);
                    shadowEntry.CurrentValue = entry.Property(property).CurrentValue;
                    shadowEntry.IsModified = true;
                }
            }

            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                entry.State = EntityState.Detached;
            }

            rows += batch.Count;
            batches++;
        }

        return new ReIndexResult(rows, batches);
    }

    /// <summary>
    /// Loads the next batch (tracked). When one of its values cannot be read (a value copied from another row, altered, under
    /// a missing key…), loads the batch's rows one by one instead, reports the failing ones in <paramref name="skipped"/> and
    /// returns the others; null when every row of the batch failed.
    /// </summary>
    private static async Task<List<TEntity>?> LoadBatchAsync<TEntity>(DbContext context, IQueryable<TEntity> pending, IKey key, int batchSize,
        List<ReEncryptionSkippedRow> skipped, CancellationToken cancellationToken)
        where TEntity : class
    {
        var tracked = context.ChangeTracker.Entries<TEntity>().Select(e => e.Entity).ToHashSet(ReferenceEqualityComparer.Instance);
        try
        {
            return await pending.AsTracking().Take(batchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EncryptedValueException)
        {
            DetachLoadedSince(context, tracked);
        }

        // The key columns are not encrypted: they read whatever the values hold.
        var keys = await pending.Take(batchSize).Select(KeySelector<TEntity>(key)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var batch = new List<TEntity>();
        foreach (var keyValues in keys)
        {
            try
            {
                batch.Add(await context.Set<TEntity>().AsTracking().Where(KeyEquals<TEntity>(key, keyValues))
                    .SingleAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (EncryptedValueException ex)
            {
                DetachLoadedSince(context, tracked.Concat(batch).ToHashSet(ReferenceEqualityComparer.Instance));
                skipped.Add(new ReEncryptionSkippedRow(keyValues, ex.Property, ex.Failure, ex.Message));
            }
        }

        return batch.Count == 0 && keys.Count > 0 ? null : batch;
    }

    private static void DetachLoadedSince(DbContext context, HashSet<object?> before)
    {
        foreach (var entry in context.ChangeTracker.Entries().Where(e => !before.Contains(e.Entity)).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }

    private static Expression<Func<TEntity, object?[]>> KeySelector<TEntity>(IKey key)
    {
        var row = Expression.Parameter(typeof(TEntity), "e");
        return Expression.Lambda<Func<TEntity, object?[]>>(
            Expression.NewArrayInit(typeof(object), key.Properties.Select(p => Expression.Convert(PropertyOf(row, p), typeof(object)))), row);
    }

    private static Expression<Func<TEntity, bool>> KeyEquals<TEntity>(IKey key, IReadOnlyList<object?> values)
    {
        var row = Expression.Parameter(typeof(TEntity), "e");
        return Expression.Lambda<Func<TEntity, bool>>(KeyPredicate(row, key, values), row);
    }

    private static Expression KeyPredicate(ParameterExpression row, IKey key, IReadOnlyList<object?> values)
        => key.Properties.Select((p, i) => (Expression)Expression.Equal(PropertyOf(row, p), Expression.Constant(values[i], p.ClrType)))
            .Aggregate(Expression.AndAlso);

    private static IQueryable<TEntity> ExcludeRows<TEntity>(IQueryable<TEntity> query, IKey key, List<ReEncryptionSkippedRow> skipped)
        where TEntity : class
    {
        if (skipped.Count == 0)
        {
            return query;
        }

        var row = Expression.Parameter(typeof(TEntity), "e");
        var excluded = skipped.Select(s => (Expression)Expression.Not(KeyPredicate(row, key, s.Key))).Aggregate(Expression.AndAlso);
        return query.Where(Expression.Lambda<Func<TEntity, bool>>(excluded, row));
    }

    private static Expression PropertyOf(ParameterExpression row, IProperty property)
        => Expression.Call(typeof(EF), nameof(EF.Property), [property.ClrType], row, Expression.Constant(property.Name));

    private static IQueryable<TEntity> OrderByKey<TEntity>(IQueryable<TEntity> query, IKey key)
        where TEntity : class
    {
        var row = Expression.Parameter(typeof(TEntity), "e");
        var first = true;
        foreach (var property in key.Properties)
        {
            var body = Expression.Call(typeof(EF), nameof(EF.Property), [property.ClrType], row, Expression.Constant(property.Name));
            var call = Expression.Call(
                typeof(Queryable), first ? nameof(Queryable.OrderBy) : nameof(Queryable.ThenBy), [typeof(TEntity), property.ClrType],
                query.Expression, Expression.Quote(Expression.Lambda(body, row)));
            query = query.Provider.CreateQuery<TEntity>(call);
            first = false;
        }

        return query;
    }
}
