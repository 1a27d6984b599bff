using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// The converter of a blind-index shadow property: the model value is the plaintext (set before saving, or a query
/// parameter compared with it), the stored value is Base64(HMAC-SHA256(blind-index key, UTF-8 plaintext)). Values read
/// back are the stored hashes.
/// </summary>
internal sealed class BlindIndexConverter : ValueConverter<string, string>
{
    public const int StoredLength = 44;

    public BlindIndexConverter(EncryptionKeyRing keyRing, string entityType, string property)
        : base(
            value => EncryptedStringCipher.ComputeBlindIndex(keyRing, value, entityType, property),
            stored => stored,
            new ConverterMappingHints(size: StoredLength, unicode: false))
    {
    }
}
