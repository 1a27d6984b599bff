using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;

namespace AlchemyTypes;

/// <summary>
/// The keys of encrypted string columns: any number of AES-256 keys, each with a short id stored in every value it
/// encrypts, one of them current (used for new values), plus an optional separate HMAC key for blind indexes.
/// Values written with any key of the ring decrypt; rotate by adding a key, making it current, then calling
/// <c>context.ReEncryptAsync&lt;TEntity&gt;()</c>. Create one ring per application and reuse it (a singleton): each
/// distinct ring instance gets its own EF Core service provider and model. The ring is safe to use from many threads.
/// </summary>
public sealed partial class EncryptionKeyRing
{
    /// <summary>The length, in bytes, of every key (AES-256 and the blind-index HMAC-SHA256 key).</summary>
    public const int KeySize = 32;

    /// <summary>The longest key id accepted.</summary>
    public const int MaxKeyIdLength = 32;

    private readonly Lock _lock = new();
    private Snapshot _snapshot = new(new Dictionary<string, KeyMaterial>(StringComparer.Ordinal), null, null);

    /// <summary>The id of the key that encrypts new values, or null while the ring is empty.</summary>
    public string? CurrentKeyId => _snapshot.CurrentKeyId;

    /// <summary>The ids of every key in the ring.</summary>
    public IReadOnlyCollection<string> KeyIds => _snapshot.Keys.Keys.ToArray();

    /// <summary>Whether a blind-index key was set with <see cref="SetBlindIndexKey"/>.</summary>
    public bool HasBlindIndexKey => _snapshot.BlindIndexKey is not null;

    /// <summary>Returns 32 bytes from the operating system's random number generator, suitable as a key. Store it in a secret store.</summary>
    /// <returns>A new random key.</returns>
    public static byte[] GenerateKey() => RandomNumberGenerator.GetBytes(KeySize);

    /// <summary>
    /// Adds an AES-256 key. The first key added becomes current; later ones become current only with
    /// <paramref name="makeCurrent"/> or <see cref="SetCurrent"/>. The key bytes are copied.
    /// </summary>
    /// <param name="keyId">1 to 32 characters from <c>A-Z a-z 0-9 . -</c>, unique ignoring case; stored in clear in every value, so never
    /// derive it from the key.</param>
    /// <param name="key">Exactly 32 random bytes (see <see cref="GenerateKey"/>).</param>
    /// <param name="makeCurrent">Whether new values are encrypted with this key from now on.</param>
    /// <returns>This ring, for chaining.</returns>
    public EncryptionKeyRing Add(string keyId, ReadOnlySpan<byte> key, bool makeCurrent = false)
    {
        ValidateKeyId(keyId);
        ValidateKey(key, "An encryption key");
        lock (_lock)
        {
            var current = _snapshot;
            // Ids differing only in case are refused too: SQLite's LIKE (used by ReEncryptAsync) ignores ASCII case.
            if (current.Keys.Keys.Any(id => string.Equals(id, keyId, StringComparison.OrdinalIgnoreCase)))
            {
                throw new AlchemyTypesConfigurationException(
                    $"The key ring already holds a key with id '{keyId}' (ids are compared ignoring case). Key ids are stored in every "
                        + $"encrypted value, so each id may name only one key: pick a new id for a new key.");
            }

            if (current.BlindIndexKey is { } blind && CryptographicOperations.FixedTimeEquals(blind, key))
            {
                throw new AlchemyTypesConfigurationException("An encryption key must not equal the blind-index key: generate separate keys.");
            }

            var keys = new Dictionary<string, KeyMaterial>(current.Keys, StringComparer.Ordinal) { [keyId] = new KeyMaterial(key.ToArray()) };
            _snapshot = current with { Keys = keys, CurrentKeyId = makeCurrent || current.CurrentKeyId is null ? keyId : current.CurrentKeyId };
        }

        return this;
    }

    /// <summary>Makes an existing key the one that encrypts new values (after a rotation).</summary>
    /// <param name="keyId">The id of a key already in the ring.</param>
    /// <returns>This ring, for chaining.</returns>
    public EncryptionKeyRing SetCurrent(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        lock (_lock)
        {
            if (!_snapshot.Keys.ContainsKey(keyId))
            {
                throw new AlchemyTypesConfigurationException($"The key ring has no key with id '{keyId}'. Add it with Add(\"{keyId}\", key) first.");
            }

            _snapshot = _snapshot with { CurrentKeyId = keyId };
        }

        return this;
    }

    /// <summary>
    /// Sets the blind-index key (the searchable hashes of properties marked with <c>BlindIndex = true</c>): each column
    /// gets its own HMAC-SHA256 key derived from it with HKDF over the table and column, so equal values in two columns
    /// have unrelated indexes. It must differ from every encryption key. Rotating it (calling this again) makes existing
    /// blind indexes stop matching until <c>context.ReIndexAsync&lt;TEntity&gt;()</c> has recomputed them.
    /// </summary>
    /// <param name="key">Exactly 32 random bytes (see <see cref="GenerateKey"/>).</param>
    /// <returns>This ring, for chaining.</returns>
    public EncryptionKeyRing SetBlindIndexKey(ReadOnlySpan<byte> key)
    {
        ValidateKey(key, "The blind-index key");
        lock (_lock)
        {
            foreach (var (id, existing) in _snapshot.Keys)
            {
                if (CryptographicOperations.FixedTimeEquals(existing.Key, key))
                {
                    throw new AlchemyTypesConfigurationException($"The blind-index key equals the encryption key '{id}': generate a separate key.");
                }
            }

            _snapshot = _snapshot with { BlindIndexKey = key.ToArray() };
        }

        return this;
    }

    /// <summary>Whether values not bound to their place are refused (see <see cref="RejectUnboundValues"/>).</summary>
    public bool RejectsUnboundValues => _snapshot.RejectUnbound;

    /// <summary>
    /// Refuses to decrypt values in the <c>v1</c> format of earlier releases, which are bound to their key id only (not
    /// to their table and column), and <c>v2</c> values (not bound to a row) of properties bound to their row: reading one
    /// fails with <see cref="EncryptedValueException"/> (<see cref="EncryptedValueFailure.Unbound"/>). Call it once
    /// <c>ReEncryptAsync</c> has run for every entity type with encrypted properties, so that an old value copied into
    /// another column, or another row, cannot be read there.
    /// </summary>
    /// <returns>This ring, for chaining.</returns>
    public EncryptionKeyRing RejectUnboundValues()
    {
        lock (_lock)
        {
            _snapshot = _snapshot with { RejectUnbound = true };
        }

        return this;
    }

    internal Snapshot Current => Volatile.Read(ref _snapshot);

    private static void ValidateKeyId(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (keyId.Length is 0 or > MaxKeyIdLength || !KeyIdPattern().IsMatch(keyId))
        {
            throw new AlchemyTypesConfigurationException(
                $"'{keyId}' is not a valid key id: use 1 to {MaxKeyIdLength} characters from A-Z, a-z, 0-9, '.' and '-' (for example \"2025-01\").");
        }
    }

    private static void ValidateKey(ReadOnlySpan<byte> key, string what)
    {
        if (key.Length != KeySize)
        {
            throw new AlchemyTypesConfigurationException(
                $"{what} must be exactly {KeySize} bytes (AES-256 / HMAC-SHA256), but {key.Length} bytes were given. Generate one with "
                    + $"EncryptionKeyRing.GenerateKey().");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdPattern();

    /// <summary>An immutable view of the ring; encryption uses one snapshot per value.</summary>
    internal sealed record Snapshot(Dictionary<string, KeyMaterial> Keys, string? CurrentKeyId, byte[]? BlindIndexKey)
    {
        public bool RejectUnbound { get; init; }
    }

    /// <summary>
    /// One AES-256 key and a small pool of <see cref="AesGcm"/> instances for it: an instance is used by one thread at a
    /// time, and reusing it saves the key schedule on every value. Instances beyond the pool's bound are disposed.
    /// </summary>
    internal sealed class KeyMaterial(byte[] key)
    {
        private readonly ConcurrentBag<AesGcm> _pool = [];
        private readonly int _bound = Math.Max(4, Environment.ProcessorCount * 2);
        private int _pooled;

        public byte[] Key { get; } = key;

        public AesGcm Rent()
        {
            if (_pool.TryTake(out var aes))
            {
                Interlocked.Decrement(ref _pooled);
                return aes;
            }

            return new AesGcm(Key, EncryptedStringCipher.TagSize);
        }

        public void Return(AesGcm aes)
        {
            if (Interlocked.Increment(ref _pooled) <= _bound)
            {
                _pool.Add(aes);
            }
            else
            {
                Interlocked.Decrement(ref _pooled);
                aes.Dispose();
            }
        }
    }
}
