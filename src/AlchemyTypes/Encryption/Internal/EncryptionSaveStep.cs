using System.Security.Cryptography;
using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Before EF Core saves: checks the maximum length of encrypted strings (so <see cref="EncryptedValueTooLongException"/> is not
/// wrapped in <see cref="DbUpdateException"/>), fills the blind-index shadow properties from the plaintext, and gives each
/// value of a property bound to its row that row's key (<see cref="RowBoundValues"/>).
/// </summary>
internal sealed class EncryptionSaveStep : ISaveChangesStep
{
    public int Order => SaveChangesStepOrder.Encryption;

    public ValueTask SavingChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            var encrypted = entry.Metadata.GetOrAddRuntimeAnnotationValue(
                AlchemyTypesAnnotationNames.EncryptedPropertiesCache, static t => EncryptedProperty.Of(t!), entry.Metadata);
            byte[]? rowKey = null;
            foreach (var (property, converter, blindIndex) in encrypted)
            {
                var propertyEntry = entry.Property(property);
                if (entry.State != EntityState.Added && !propertyEntry.IsModified)
                {
                    continue;
                }

                var value = (string?)propertyEntry.CurrentValue;
                if (value is not null)
                {
                    EncryptedStringConverter.CheckLength(value, converter.EntityType, converter.Property, converter.MaxLength);
                    if (converter.Rows is { } rows)
                    {
                        rowKey ??= RowKeyOf(entry, converter);
                        if (rows.TryGetRead(value, out var read) && !read.Checked && !CryptographicOperations.FixedTimeEquals(read.RowKey, rowKey))
                        {
                            // Decrypted from another row's value and never found in that row: it may have been copied into the
                            // row that was queried. Binding it to this row would make the copy permanent.
                            throw new EncryptedValueException(converter.EntityType, converter.Property, EncryptedValueFailure.UncheckedRow);
                        }

                        var bound = rows.BindForWrite(value, rowKey);
                        if (!ReferenceEquals(bound, value))
                        {
                            // The same string instance is the value of another row too: this row gets its own (equal) copy.
                            // Set on the entity itself: EF Core ignores a new value equal to the current one.
                            SetInstance(entry.Entity, property, converter, bound);
                            value = bound;
                        }
                    }
                }

                if (blindIndex is not null)
                {
                    // The shadow property's converter turns the plaintext into its keyed HMAC when the row is written.
                    entry.Property(blindIndex).CurrentValue = value;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private static void SetInstance(object entity, IProperty property, EncryptedStringConverter converter, string copy)
    {
        if (property.FieldInfo is { } field)
        {
            field.SetValue(entity, copy);
        }
        else if (property.PropertyInfo is { CanWrite: true } clr)
        {
            clr.SetValue(entity, copy);
        }

        if (!ReferenceEquals(property.GetGetter().GetClrValue(entity), copy))
        {
            throw new AlchemyTypesConfigurationException($"'{converter.EntityType}.{converter.Property}' is bound to its row, and its value is "
                + "the same string instance as another row's, but the property could not be given a copy (no backing field or setter). "
                + "Give it a setter or a backing field.");
        }
    }

    private static byte[] RowKeyOf(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry, EncryptedStringConverter converter)
    {
        var key = entry.Metadata.FindPrimaryKey()
            ?? throw new AlchemyTypesConfigurationException($"'{converter.EntityType}.{converter.Property}' is bound to its row, but "
                + $"{entry.Metadata.DisplayName()} has no primary key: bind values to their column only, or give the entity a key.");
        foreach (var property in key.Properties)
        {
            if (entry.Property(property).IsTemporary)
            {
                throw new AlchemyTypesConfigurationException($"'{converter.EntityType}.{converter.Property}' is bound to its row, but the key "
                    + $"'{property.Name}' is generated by the database, so the row is not known when the value is encrypted. Generate the key "
                    + "on the client (a GUID or UUIDv7 key, a Nanoid, or a value the application sets), or bind the values to their column only.");
            }
        }

        return RowKey.Compute(key.Properties, p => entry.Property(p).CurrentValue);
    }

    public ValueTask SavedChangesAsync(DbContext context, bool async, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SaveChangesFailedAsync(DbContext context, bool async) => ValueTask.CompletedTask;

    private sealed record EncryptedProperty(IProperty Property, EncryptedStringConverter Converter, IProperty? BlindIndex)
    {
        public static EncryptedProperty[] Of(IEntityType entityType)
            => entityType.GetProperties()
                .Where(p => p.GetValueConverter() is EncryptedStringConverter)
                .Select(p => new EncryptedProperty(
                    p,
                    (EncryptedStringConverter)p.GetValueConverter()!,
                    p.FindAnnotation(AlchemyTypesAnnotationNames.BlindIndexProperty)?.Value is string shadow ? entityType.FindProperty(shadow) : null))
                .ToArray();
    }
}
