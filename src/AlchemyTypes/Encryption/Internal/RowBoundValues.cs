using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Carries the row key between the places that see a row and the value converter, which sees one value only. The string
/// instance is the carrier: before a save, <see cref="EncryptionSaveStep"/> registers each value of a row-bound property with
/// its row's key (giving the property a private copy when the same instance already belongs to another row); the converter
/// encrypts it bound to that key. On reads the converter registers each decrypted value with the key it was bound to, and
/// <see cref="RowBindingMaterializationInterceptor"/> compares it with the key of the row it was read into. Weak tables:
/// nothing is kept alive by being registered. One instance per row-bound property, owned by its converter.
/// </summary>
internal sealed class RowBoundValues
{
    private readonly ConditionalWeakTable<string, byte[]> _written = new();
    private readonly ConditionalWeakTable<string, ReadValue> _read = new();

    /// <summary>
    /// Registers <paramref name="value"/> for writing with <paramref name="rowKey"/>; returns the instance to store in the
    /// property: the value itself, or a copy when the instance is already registered for another row.
    /// </summary>
    public string BindForWrite(string value, byte[] rowKey)
    {
        if (value.Length == 0)
        {
            // The empty string is one shared instance: it is bound to its column only (SECURITY.md).
            return value;
        }

        while (true)
        {
            if (_written.TryGetValue(value, out var existing))
            {
                if (existing.AsSpan().SequenceEqual(rowKey))
                {
                    return value;
                }

                value = new string(value.AsSpan());
                continue;
            }

            if (_written.TryAdd(value, rowKey))
            {
                return value;
            }
        }
    }

    public bool TryGetWritten(string value, out byte[] rowKey) => _written.TryGetValue(value, out rowKey!);

    public void RecordRead(string value, byte[] rowKey)
    {
        if (value.Length > 0)
        {
            _read.AddOrUpdate(value, new ReadValue(rowKey));
        }
    }

    /// <summary>The row key a decrypted value was bound to, and whether it was checked against the row it was read into.</summary>
    public bool TryGetRead(string value, out ReadValue read) => _read.TryGetValue(value, out read!);

    /// <summary>
    /// Checks that the decrypted <paramref name="value"/> was bound to the row whose key is <paramref name="rowKey"/> (computed
    /// only when the value was decrypted from a <c>v3</c> value); marks it as checked. Null, empty and unbound values pass.
    /// </summary>
    public void Check(string? value, Func<byte[]> rowKey, EncryptedStringConverter converter)
    {
        if (value is not { Length: > 0 } || !_read.TryGetValue(value, out var read))
        {
            return;
        }

        if (!CryptographicOperations.FixedTimeEquals(read.RowKey, rowKey()))
        {
            throw new EncryptedValueException(converter.EntityType, converter.Property, EncryptedValueFailure.WrongRow);
        }

        read.Checked = true;
    }

    /// <summary>A decrypted value's row key and whether it was checked against the row it was read into.</summary>
    internal sealed class ReadValue(byte[] rowKey)
    {
        public byte[] RowKey { get; } = rowKey;

        /// <summary>Set once the value was found in the row it was bound to; written by any thread that checked it.</summary>
        public bool Checked
        {
            get => Volatile.Read(ref _checked);
            set => Volatile.Write(ref _checked, value);
        }

        private bool _checked;
    }
}
