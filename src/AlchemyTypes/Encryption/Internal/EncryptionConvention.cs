using System.Reflection;
using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.Passwords;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using AlchemyTypes.Passwords.Internal;
using AlchemyTypes.Infrastructure.Internal;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Puts an <see cref="EncryptedStringConverter"/> on every property marked with <see cref="EncryptedAttribute"/> or
/// <c>.IsEncrypted()</c> (plus a blind-index shadow property with an index when asked), and a per-property
/// <see cref="PasswordHashConverter"/> on every <see cref="PasswordHash"/> property. Runs first among the model-finalizing
/// conventions, so the provider maps store types with the converters in place.
/// </summary>
internal sealed class EncryptionConvention(EncryptionKeyRing? keyRing, PasswordHasherRegistry? hashers) : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes().ToList())
        {
            var displayName = entityType.DisplayName();
            foreach (var property in entityType.GetDeclaredProperties().ToList())
            {
                if (property.ClrType == typeof(PasswordHash))
                {
                    property.Builder.HasConversion(new PasswordHashConverter(PasswordHashConverter.RequireRegistry(hashers), displayName, property.Name));
                    continue;
                }

                var attribute = ((MemberInfo?)property.PropertyInfo ?? property.FieldInfo)?.GetCustomAttribute<EncryptedAttribute>(inherit: true);
                var marked = property.FindAnnotation(AlchemyTypesAnnotationNames.Encrypted)?.Value is true;
                if (attribute is null && !marked)
                {
                    continue;
                }

                ConfigureEncrypted(entityType, property, displayName, attribute);
            }
        }
    }

    private void ConfigureEncrypted(IConventionEntityType entityType, IConventionProperty property, string displayName, EncryptedAttribute? attribute)
    {
        var name = $"{displayName}.{property.Name}";
        if (property.ClrType != typeof(string))
        {
            throw new AlchemyTypesConfigurationException($"'{name}' is marked as encrypted but is a {property.ClrType.Name}: only string "
                + $"properties can be encrypted.");
        }

        if (keyRing is null)
        {
            throw new AlchemyTypesConfigurationException(
                $"'{name}' is marked as encrypted, but no key ring is configured: call AddAlchemyTypes(a => a.UseEncryption(keyRing)) with "
                    + $"an EncryptionKeyRing created once at startup.");
        }

        var maxLength = property.FindAnnotation(AlchemyTypesAnnotationNames.EncryptedMaxLength)?.Value as int?
            ?? (attribute is { MaxLength: > 0 } ? attribute.MaxLength : (int?)null)
            ?? property.GetMaxLength();
        if (maxLength is <= 0)
        {
            throw new AlchemyTypesConfigurationException($"The maximum length of the encrypted property '{name}' must be positive.");
        }

        var bindToRow = property.FindAnnotation(AlchemyTypesAnnotationNames.EncryptedBindToRow)?.Value as bool? ?? attribute?.BindToRow ?? false;
        if (bindToRow && property.IsShadowProperty())
        {
            throw new AlchemyTypesConfigurationException($"'{name}' is bound to its row, which needs a CLR property or field: a shadow property "
                + "is never materialized on an entity, so the row it was read into cannot be checked.");
        }

        // Resolved to the final table and column by EncryptionBindingConvention once the model is finalized.
        var binding = new EncryptionBinding(displayName, property.Name);
        var converter = new EncryptedStringConverter(keyRing, displayName, property.Name, maxLength, binding, bindToRow ? new RowBoundValues() : null);
        property.Builder.HasConversion(converter);
        if (maxLength is { } max)
        {
            // The column holds the ciphertext, longer than the plaintext limit.
            ((IMutableProperty)property).SetMaxLength(EncryptedStringCipher.MaxStoredLength(max, bindToRow));
        }

        var blindIndex = property.FindAnnotation(AlchemyTypesAnnotationNames.BlindIndex)?.Value as bool? ?? attribute?.BlindIndex ?? false;
        if (!blindIndex)
        {
            return;
        }

        if (!keyRing.HasBlindIndexKey)
        {
            throw new AlchemyTypesConfigurationException(
                $"'{name}' has a blind index, but the key ring has no blind-index key: call keyRing.SetBlindIndexKey(key) with a separate 32-byte key.");
        }

        var shadowName = property.Name + AlchemyTypesAnnotationNames.BlindIndexSuffix;
        var shadow = entityType.Builder.Property(typeof(string), shadowName)
            ?? throw new AlchemyTypesConfigurationException($"The blind-index property '{displayName}.{shadowName}' conflicts with an "
                + $"existing member: rename it.");
        shadow.HasConversion(new BlindIndexConverter(keyRing, displayName, property.Name, binding));
        ((IMutableProperty)shadow.Metadata).SetMaxLength(BlindIndexConverter.StoredLength);
        shadow.HasAnnotation(AlchemyTypesAnnotationNames.BlindIndexOf, property.Name);
        property.Builder.HasAnnotation(AlchemyTypesAnnotationNames.BlindIndexProperty, shadowName);
        entityType.Builder.HasIndex([shadowName]);
    }
}
