using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// The stored format of encrypted strings: <c>v1:&lt;keyId&gt;:&lt;Base64(nonce ‖ ciphertext ‖ tag)&gt;</c>, AES-256-GCM with a
/// fresh random 96-bit nonce per value, a 128-bit tag, the UTF-8 plaintext, and the ASCII header <c>v1:&lt;keyId&gt;:</c> as
/// associated data (so the key id cannot be swapped without failing authentication). Documented in SECURITY.md.
/// </summary>
internal static class EncryptedStringCipher
{
    public const string Version = "v1";
    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>The longest stored value for a plaintext of <paramref name="maxChars"/> UTF-16 characters.</summary>
    public static int MaxStoredLength(int maxChars)
        => Version.Length + 2 + EncryptionKeyRing.MaxKeyIdLength + (((NonceSize + TagSize + (3 * maxChars)) + 2) / 3 * 4);

    public static string Encrypt(EncryptionKeyRing ring, string plaintext)
    {
        var snapshot = ring.Current;
        var keyId = snapshot.CurrentKeyId
            ?? throw new AlchemyTypesConfigurationException("The encryption key ring is empty: add a key with keyRing.Add(\"k1\", key) before saving encrypted values.");
        var key = snapshot.Keys[keyId];
        var header = Version + ":" + keyId + ":";
        var byteCount = Encoding.UTF8.GetByteCount(plaintext);
        var payload = new byte[NonceSize + byteCount + TagSize];
        var nonce = payload.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(byteCount, 1));
        try
        {
            var plain = rented.AsSpan(0, byteCount);
            Encoding.UTF8.GetBytes(plaintext, plain);
            Span<byte> associatedData = stackalloc byte[header.Length];
            Encoding.ASCII.GetBytes(header, associatedData);
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

    public static string Decrypt(EncryptionKeyRing ring, string stored, string entityType, string property)
    {
        var firstColon = stored.IndexOf(':', StringComparison.Ordinal);
        var secondColon = firstColon < 0 ? -1 : stored.IndexOf(':', firstColon + 1);
        if (secondColon < 0)
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Malformed);
        }

        var version = stored.AsSpan(0, firstColon);
        if (!version.SequenceEqual(Version))
        {
            var looksVersioned = version.Length is > 1 and < 6 && version[0] == 'v' && int.TryParse(version[1..], out _);
            throw new EncryptedValueException(entityType, property, looksVersioned ? EncryptedValueFailure.UnsupportedVersion : EncryptedValueFailure.Malformed);
        }

        var keyIdLength = secondColon - firstColon - 1;
        if (keyIdLength is 0 or > EncryptionKeyRing.MaxKeyIdLength)
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Malformed);
        }

        var keyId = stored.Substring(firstColon + 1, keyIdLength);
        if (!ring.Current.Keys.TryGetValue(keyId, out var key))
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.UnknownKeyId, SafeKeyId(keyId));
        }

        var encoded = stored.AsSpan(secondColon + 1);
        var payload = new byte[(encoded.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64Chars(encoded, payload, out var payloadLength))
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.NotBase64, keyId);
        }

        if (payloadLength < NonceSize + TagSize)
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.Truncated, keyId);
        }

        var cipherLength = payloadLength - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        try
        {
            Span<byte> associatedData = stackalloc byte[secondColon + 1];
            Encoding.ASCII.GetBytes(stored.AsSpan(0, secondColon + 1), associatedData);
            var aes = key.Rent();
            try
            {
                aes.Decrypt(
                    payload.AsSpan(0, NonceSize),
                    payload.AsSpan(NonceSize, cipherLength),
                    payload.AsSpan(NonceSize + cipherLength, TagSize),
                    plain,
                    associatedData);
            }
            finally
            {
                key.Return(aes);
            }

            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new EncryptedValueException(entityType, property, EncryptedValueFailure.AuthenticationFailed, keyId, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>The key id of a stored value, or null when the value is not in the v1 layout.</summary>
    public static string? ReadKeyId(string stored)
    {
        if (!stored.StartsWith(Version + ":", StringComparison.Ordinal))
        {
            return null;
        }

        var end = stored.IndexOf(':', Version.Length + 1);
        return end < 0 ? null : stored[(Version.Length + 1)..end];
    }

    public static string ComputeBlindIndex(EncryptionKeyRing ring, string plaintext, string entityType, string property)
    {
        var key = ring.Current.BlindIndexKey
            ?? throw new AlchemyTypesConfigurationException(
                $"'{entityType}.{property}' has a blind index, but the key ring has no blind-index key: call keyRing.SetBlindIndexKey(key) with a separate 32-byte key.");
        var byteCount = Encoding.UTF8.GetByteCount(plaintext);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(byteCount, 1));
        try
        {
            var plain = rented.AsSpan(0, byteCount);
            Encoding.UTF8.GetBytes(plaintext, plain);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, plain, mac);
            return Convert.ToBase64String(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, byteCount));
            ArrayPool<byte>.Shared.Return(rented);
        }
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
