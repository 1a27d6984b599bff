using AlchemyTypes;
using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using AlchemyTypes.Encryption.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Key rotation for encrypted string properties.</summary>
public static class EncryptionDbContextExtensions
{
    /// <summary>
    /// Re-encrypts, with the key ring's current key, every encrypted value of <typeparamref name="TEntity"/> that was
    /// written with another key. Rows are found by the key id in the stored header (no decryption of up-to-date rows),
    /// loaded <paramref name="batchSize"/> at a time, and saved with <c>SaveChangesAsync</c> (one transaction per batch),
    /// then detached. Idempotent and resumable: run it again after an interruption; when nothing is left it returns 0.
    /// Keep the old keys in the ring until it has run for every entity type with encrypted properties.
    /// Other pending changes of the context are saved with the first batch: call it on a fresh context.
    /// </summary>
    /// <typeparam name="TEntity">An entity type mapped to a table, with at least one encrypted property.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="batchSize">Rows per batch (1 to 100,000).</param>
    /// <param name="cancellationToken">Stops between batches; batches already saved stay saved.</param>
    /// <returns>How many rows were re-encrypted, in how many batches.</returns>
    public static async Task<ReEncryptionResult> ReEncryptAsync<TEntity>(this DbContext context, int batchSize = 500, CancellationToken cancellationToken = default)
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
        var conditions = encrypted.Select(p =>
        {
            var column = sql.DelimitIdentifier(p.GetColumnName(storeObject)!);
            return $"({column} IS NOT NULL AND {column} NOT LIKE {{0}})";
        });
        var query = $"SELECT * FROM {sql.DelimitIdentifier(table, entityType.GetSchema())} WHERE {string.Join(" OR ", conditions)}";
        var pattern = EncryptedStringCipher.Version + ":" + currentKeyId + ":%";

        var rows = 0;
        var batches = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await context.Set<TEntity>().FromSqlRaw(query, pattern).AsTracking().Take(batchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
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

        return new ReEncryptionResult(rows, batches);
    }
}
