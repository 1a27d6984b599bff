using AlchemyTypes.Encryption.Internal;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// The converter of a blind-index shadow property: the model value is the plaintext (set before saving, or a query
/// parameter compared with it), the stored value is Base64(HMAC-SHA256(column key, UTF-8 plaintext)), where the column
/// key is derived from the ring's blind-index key with HKDF over the indexed column's <see cref="EncryptionBinding"/>.
/// Values read back are the stored hashes.
/// </summary>
internal sealed class BlindIndexConverter : ValueConverter<string, string>
{
    public const int StoredLength = 44;

    public BlindIndexConverter(EncryptionKeyRing keyRing, string entityType, string property, EncryptionBinding binding)
        : this(new ColumnKey(keyRing, entityType, property, binding))
    {
    }

    private BlindIndexConverter(ColumnKey columnKey)
        : base(
            value => EncryptedStringCipher.ComputeBlindIndex(columnKey.Get(), value),
            stored => stored,
            new ConverterMappingHints(size: StoredLength, unicode: false))
    {
        Key = columnKey;
    }

    public ColumnKey Key { get; }

    /// <summary>The HMAC key of one column, derived once per blind-index key of the ring (rotation derives it again).</summary>
    internal sealed class ColumnKey(EncryptionKeyRing keyRing, string entityType, string property, EncryptionBinding binding)
    {
        private Cached? _cache;

        public EncryptionBinding Binding => binding;

        public byte[] Get()
        {
            var master = keyRing.Current.BlindIndexKey
                ?? throw new AlchemyTypesConfigurationException(
                    $"'{entityType}.{property}' has a blind index, but the key ring has no blind-index key: call "
                        + $"keyRing.SetBlindIndexKey(key) with a separate 32-byte key.");
            var cache = Volatile.Read(ref _cache);
            if (cache is not null && ReferenceEquals(cache.Master, master))
            {
                return cache.Derived;
            }

            var derived = EncryptedStringCipher.DeriveBlindIndexKey(master, binding);
            Volatile.Write(ref _cache, new Cached(master, derived));
            return derived;
        }

        private sealed record Cached(byte[] Master, byte[] Derived);
    }
}
