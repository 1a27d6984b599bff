using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Encryption.Internal;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// The stored format of encrypted strings: <c>&lt;version&gt;:&lt;keyId&gt;:&lt;Base64(nonce ‖ ciphertext ‖ tag)&gt;</c>,
/// AES-256-GCM with a fresh random 96-bit nonce per value, a 128-bit tag and the UTF-8 plaintext. The associated data of
/// <c>v2</c> (written now) is the ASCII header <c>v2:&lt;keyId&gt;:</c> followed by the canonical bytes of the value's
/// <see cref="EncryptionBinding"/> (schema, table, column), so a value copied to another column or table fails
/// authentication; <c>v1</c> (read only, unless the ring rejects it) authenticated the header alone. <c>v3</c>, written for
/// properties bound to their row, has the associated data of <c>v2</c> and puts the row's key inside the encrypted
/// plaintext: a 4-byte big-endian length, the row key's canonical bytes (<see cref="RowKey"/>), then the UTF-8 value; the
/// row key is checked against the row the value is read into (<see cref="RowBindingMaterializationInterceptor"/>).
/// Documented in SECURITY.md.
/// </summary>
internal static class EncryptedStringCipher
{
    /// <summary>The version written: bound to its table and column.</summary>
    public const string Version = "v2";

    /// <summary>The version written for properties bound to their row: <see cref="Version"/> plus the row's key.</summary>
    public const string RowBoundVersion = "v3";

    /// <summary>The first version: bound to its key id only; still read unless <see cref="EncryptionKeyRing.RejectUnboundValues"/> was called.</summary>
    public const string UnboundVersion = "v1";

    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>Buffers up to this many bytes are on the stack while decrypting; longer ones are pooled.</summary>
    private const int StackLimit = 256;

    /// <summary>The longest stored value for a plaintext of <paramref name="maxChars"/> UTF-16 characters.</summary>
    public static int MaxStoredLength(int maxChars, bool rowBound = false)
        => Version.Length + 2 + EncryptionKeyRing.MaxKeyIdLength
            + (((NonceSize + TagSize + (rowBound ? 4 + RowKey.Size : 0) + (3 * maxChars)) + 2) / 3 * 4);

    /// <summary>Encrypts in the current format, bound to <paramref name="binding"/>.</summary>
    public static string Encrypt(EncryptionKeyRing ring, string plaintext, EncryptionBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return Encrypt(ring, plaintext, Version, binding.Bytes, []);
    }

    /// <summary>Encrypts in the row-bound format <c>v3</c>: bound to <paramref name="binding"/> and to the row key <paramref name="rowKey"/>.</summary>
    public static string Encrypt(EncryptionKeyRing ring, string plaintext, EncryptionBinding binding, byte[] rowKey)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(rowKey);
        return Encrypt(ring, plaintext, RowBoundVersion, binding.Bytes, rowKey);
    }

    /// <summary>Encrypts in the unbound <c>v1</c> format: only for tests and tools that must produce values of older releases.</summary>
    public static string EncryptUnbound(EncryptionKeyRing ring, string plaintext) => Encrypt(ring, plaintext, UnboundVersion, [], []);

    private static string Encrypt(EncryptionKeyRing ring, string plaintext, string version, byte[] binding, byte[] rowKey)
    {
        var snapshot = ring.Current;
        var keyId = snapshot.CurrentKeyId
            ?? throw new AlchemyTypesConfigurationException("The encryption key ring is empty: add a key with keyRing.Add(\"k1\", key) "
                + "before saving encrypted values.");
        var key = snapshot.Keys[keyId];
        var header = version + ":" + keyId + ":";
        var prefixLength = version == RowBoundVersion ? 4 + rowKey.Length : 0;
        var byteCount = prefixLength + Encoding.UTF8.GetByteCount(plaintext);
        var payload = new byte[NonceSize + byteCount + TagSize];
        var nonce = payload.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(byteCount, 1));
        try
        {
            var plain = rented.AsSpan(0, byteCount);
            if (prefixLength > 0)
            {
                BinaryPrimitives.WriteInt32BigEndian(plain, rowKey.Length);
                rowKey.CopyTo(plain[4..]);
            }

            Encoding.UTF8.GetBytes(plaintext, plain[prefixLength..]);
            Span<byte> associatedData = stackalloc byte[header.Length + binding.Length];
            Encoding.ASCII.GetBytes(header, associatedData);
            binding.CopyTo(associatedData[header.Length..]);
            var aes = key.Rent();
            aes.Encrypt(nonce, plain, payload.AsSpan(NonceSize, byteCount), payload.AsSpan(NonceSize + byteCount, TagSize), associatedData);
            key.Return(aes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, byteCount));
            ArrayPool<byte>.Shared.Return(rented);
        }

        return header + Convert.ToBase64String(payload);
    }

    /// <summary>
    /// Decrypts a stored value of either version. A <c>v2</c> value must have been written for <paramref name="binding"/>;
    /// with a null binding only <c>v1</c> values decrypt.
    /// </summary>
    public static string Decrypt(EncryptionKeyRing ring, string stored, string entityType, string property, EncryptionBinding? binding)
        => Decrypt(ring, stored, entityType, property, binding, rowBound: false, out _);

    /// <summary>
    /// Decrypts a stored value of any version; <paramref name="rowKey"/> is the row key a <c>v3</c> value was bound to, else
    /// null. For a <paramref name="rowBound"/> property, <c>v1</c> and <c>v2</c> values fail with
    /// <see cref="EncryptedValueFailure.Unbound"/> once the ring rejects unbound values.
    /// </summary>
    public static string Decrypt(
        EncryptionKeyRing ring, string stored, string entityType, string property, EncryptionBinding? binding, bool rowBound, out byte[]? rowKey)
    {
        rowKey = null;
        var firstColon = stored.IndexOf(':', StringComparison.Ordinal);
        var secondColon = firstColon < 0 ? -1 : stored.IndexOf(':', firstColon + 1);
        if (secondColon < 0)
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Malformed);
        }

        var version = stored.AsSpan(0, firstColon);
        var snapshot = ring.Current;
        byte[] bound;
        var isRowBound = version.SequenceEqual(RowBoundVersion);
        if ((isRowBound || version.SequenceEqual(Version)) && binding is not null)
        {
            if (!isRowBound && rowBound && snapshot.RejectUnbound)
            {
                throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Unbound);
            }

            bound = binding.Bytes;
        }
        else if (version.SequenceEqual(UnboundVersion))
        {
            if (snapshot.RejectUnbound)
            {
                throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Unbound);
            }

            bound = [];
        }
        else
        {
            var looksVersioned = version.Length is > 1 and < 6 && version[0] == 'v' && int.TryParse(version[1..], out _);
            throw new EncryptedValueException(entityType, property,
                looksVersioned ? EncryptedValueFailure.UnsupportedVersion : EncryptedValueFailure.Malformed);
        }

        var keyIdLength = secondColon - firstColon - 1;
        if (keyIdLength is 0 or > EncryptionKeyRing.MaxKeyIdLength)
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Malformed);
        }

        // No per-value allocation but the result: the key id is looked up as a span (the string is made for errors only),
        // the payload and the plaintext live on the stack (or in pooled arrays when long), and the AesGcm instance is the
        // key's pooled one.
        var keyIdSpan = stored.AsSpan(firstColon + 1, keyIdLength);
        if (!snapshot.Keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(keyIdSpan, out var key))
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.UnknownKeyId, SafeKeyId(keyIdSpan.ToString()));
        }

        var encoded = stored.AsSpan(secondColon + 1);
        var payloadCapacity = (encoded.Length / 4 * 3) + 3;
        byte[]? rentedPayload = null;
        var payload = payloadCapacity <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rentedPayload = ArrayPool<byte>.Shared.Rent(payloadCapacity));
        byte[]? rentedPlain = null;
        var plain = payloadCapacity <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rentedPlain = ArrayPool<byte>.Shared.Rent(payloadCapacity));
        var cipherLength = 0;
        try
        {
            if (!Convert.TryFromBase64Chars(encoded, payload, out var payloadLength))
            {
                throw new EncryptedValueException(entityType, property, EncryptedValueFailure.NotBase64, keyIdSpan.ToString());
            }

            if (payloadLength < NonceSize + TagSize)
            {
                throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Truncated, keyIdSpan.ToString());
            }

            cipherLength = payloadLength - NonceSize - TagSize;
            plain = plain[..cipherLength];
            var associatedLength = secondColon + 1 + bound.Length;
            Span<byte> associatedData = associatedLength <= StackLimit ? stackalloc byte[StackLimit] : new byte[associatedLength];
            associatedData = associatedData[..associatedLength];
            Encoding.ASCII.GetBytes(stored.AsSpan(0, secondColon + 1), associatedData);
            bound.CopyTo(associatedData[(secondColon + 1)..]);
            var aes = key.Rent();
            try
            {
                aes.Decrypt(
                    payload[..NonceSize],
                    payload.Slice(NonceSize, cipherLength),
                    payload.Slice(NonceSize + cipherLength, TagSize),
                    plain,
                    associatedData);
            }
            finally
            {
                key.Return(aes);
            }

            if (!isRowBound)
            {
                return Encoding.UTF8.GetString(plain);
            }

            // v3: the row key's length and bytes come first, inside the authenticated plaintext.
            if (plain.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(plain) is var keyLength && (keyLength < 0 || keyLength > plain.Length - 4))
            {
                throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Malformed, keyIdSpan.ToString());
            }

            rowKey = plain.Slice(4, keyLength).ToArray();
            return Encoding.UTF8.GetString(plain[(4 + keyLength)..]);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.AuthenticationFailed, keyIdSpan.ToString(), ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain[..cipherLength]);
            if (rentedPlain is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedPlain);
            }

            if (rentedPayload is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedPayload);
            }
        }
    }

    /// <summary>The key id of a stored value, or null when the value is not in the v1 or v2 layout.</summary>
    public static string? ReadKeyId(string stored)
    {
        if (!stored.StartsWith(Version + ":", StringComparison.Ordinal) && !stored.StartsWith(UnboundVersion + ":", StringComparison.Ordinal)
            && !stored.StartsWith(RowBoundVersion + ":", StringComparison.Ordinal))
        {
            return null;
        }

        var end = stored.IndexOf(':', Version.Length + 1);
        return end < 0 ? null : stored[(Version.Length + 1)..end];
    }

    /// <summary>
    /// Base64(HMAC-SHA256(column key, UTF-8 plaintext)), where the column key is
    /// <see cref="DeriveBlindIndexKey"/> of the ring's blind-index key for the indexed column.
    /// </summary>
    public static string ComputeBlindIndex(ReadOnlySpan<byte> columnKey, string plaintext)
    {
        var byteCount = Encoding.UTF8.GetByteCount(plaintext);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(byteCount, 1));
        try
        {
            var plain = rented.AsSpan(0, byteCount);
            Encoding.UTF8.GetBytes(plaintext, plain);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(columnKey, plain, mac);
            return Convert.ToBase64String(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, byteCount));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The blind-index key of one column: HKDF-SHA256 (RFC 5869, <see cref="HKDF"/>) with the ring's blind-index key as
    /// input keying material, no salt, and the binding's canonical bytes as <c>info</c>; 32 bytes.
    /// </summary>
    public static byte[] DeriveBlindIndexKey(ReadOnlySpan<byte> blindIndexKey, EncryptionBinding binding)
    {
        var derived = new byte[EncryptionKeyRing.KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, blindIndexKey, derived, [], binding.Bytes);
        return derived;
    }

    private static string SafeKeyId(string keyId)
    {
        foreach (var c in keyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
            {
                return "(invalid id)";
            }
        }

        return keyId;
    }
}
