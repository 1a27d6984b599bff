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
    public EncryptedStringConverter(
        EncryptionKeyRing keyRing, string entityType, string property, int? maxLength, EncryptionBinding binding, RowBoundValues? rows = null)
        : base(
            value => rows == null ? Encrypt(value, keyRing, entityType, property, maxLength, binding) : EncryptForRow(value, keyRing, entityType, property,
                maxLength, binding, rows),
            stored => rows == null ? EncryptedStringCipher.Decrypt(keyRing, stored, entityType, property, binding) : DecryptForRow(stored, keyRing,
                entityType, property, binding, rows),
            maxLength is { } max ? new ConverterMappingHints(size: EncryptedStringCipher.MaxStoredLength(max, rows != null),
                unicode: false) : new ConverterMappingHints(unicode: false))
    {
        Rows = rows;
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

    /// <summary>The row keys of the values of a property bound to its row; null when values are bound to their column only.</summary>
    public RowBoundValues? Rows { get; }

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

    private static string EncryptForRow(
        string value, EncryptionKeyRing keyRing, string entityType, string property, int? maxLength, EncryptionBinding binding, RowBoundValues rows)
    {
        CheckLength(value, entityType, property, maxLength);
        if (value.Length == 0)
        {
            return EncryptedStringCipher.Encrypt(keyRing, value, binding, []);
        }

        if (!rows.TryGetWritten(value, out var rowKey))
        {
            throw new EncryptedQueryException(entityType, property, $"'{entityType}.{property}' is bound to its row, so its values are "
                + "encrypted by SaveChanges, which knows the row. Change the loaded or added entity and call SaveChanges; ExecuteUpdate, "
                + "raw parameters and comparisons with the encrypted column cannot bind a value to a row.");
        }
        return EncryptedStringCipher.Encrypt(keyRing, value, binding, rowKey);
    }

    private static string DecryptForRow(
        string stored, EncryptionKeyRing keyRing, string entityType, string property, EncryptionBinding binding, RowBoundValues rows)
    {
        var value = EncryptedStringCipher.Decrypt(keyRing, stored, entityType, property, binding, rowBound: true, out var rowKey);
        if (rowKey is not null)
        {
            rows.RecordRead(value, rowKey);
        }

        return value;
    }
}
