using AlchemyTypes.Encryption.Internal;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Encrypts a string property on write and decrypts it on read (see <see cref="EncryptedStringCipher"/> for the format).
/// One instance per property, holding the property's <see cref="EncryptionBinding"/> (its table and column), so that every
/// value is bound to its place and errors name the entity and the property. Null is never passed to it: null stays NULL.
/// </summary>
internal sealed class EncryptedStringConverter : ValueConverter<string, string>
{
    public EncryptedStringConverter(EncryptionKeyRing keyRing, string entityType, string property, int? maxLength, EncryptionBinding binding)
        : base(
            value => Encrypt(value, keyRing, entityType, property, maxLength, binding),
            stored => EncryptedStringCipher.Decrypt(keyRing, stored, entityType, property, binding),
            maxLength is { } max ? new ConverterMappingHints(size: EncryptedStringCipher.MaxStoredLength(max),
                unicode: false) : new ConverterMappingHints(unicode: false))
    {
        KeyRing = keyRing;
        EntityType = entityType;
        Property = property;
        MaxLength = maxLength;
        Binding = binding;
    }

    public EncryptionKeyRing KeyRing { get; }

    public string EntityType { get; }

    public string Property { get; }

    public int? MaxLength { get; }

    public EncryptionBinding Binding { get; }

    internal static void CheckLength(string value, string entityType, string property, int? maxLength)
    {
        if (maxLength is { } max && value.Length > max)
        {
            throw new EncryptedValueTooLongException(entityType, property, max, value.Length);
        }
    }

    private static string Encrypt(string value, EncryptionKeyRing keyRing, string entityType, string property, int? maxLength, EncryptionBinding binding)
    {
        CheckLength(value, entityType, property, maxLength);
        return EncryptedStringCipher.Encrypt(keyRing, value, binding);
    }
}
