using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Before EF Core saves: checks the maximum length of encrypted strings (so <see cref="EncryptedValueTooLongException"/> is not
/// wrapped in <see cref="DbUpdateException"/>) and fills the blind-index shadow properties from the plaintext.
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
