using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Encrypts a string property on write and decrypts it on read (see <see cref="EncryptedStringCipher"/> for the format).
/// One instance per property, so that errors name the entity and the property. Null is never passed to it: null stays NULL.
/// </summary>
internal sealed class EncryptedStringConverter : ValueConverter<string, string>
{
    public EncryptedStringConverter(EncryptionKeyRing keyRing, string entityType, string property, int? maxLength)
        : base(
            value => Encrypt(value, keyRing, entityType, property, maxLength),
            stored => EncryptedStringCipher.Decrypt(keyRing, stored, entityType, property),
            maxLength is { } max ? new ConverterMappingHints(size: EncryptedStringCipher.MaxStoredLength(max), unicode: false) : new ConverterMappingHints(unicode: false))
    {
        KeyRing = keyRing;
        EntityType = entityType;
        Property = property;
        MaxLength = maxLength;
    }

    public EncryptionKeyRing KeyRing { get; }

    public string EntityType { get; }

    public string Property { get; }

    public int? MaxLength { get; }

    internal static void CheckLength(string value, string entityType, string property, int? maxLength)
    {
        if (maxLength is { } max && value.Length > max)
        {
            throw new EncryptedValueTooLongException(entityType, property, max, value.Length);
        }
    }

    private static string Encrypt(string value, EncryptionKeyRing keyRing, string entityType, string property, int? maxLength)
    {
        CheckLength(value, entityType, property, maxLength);
        return EncryptedStringCipher.Encrypt(keyRing, value);
    }
}
