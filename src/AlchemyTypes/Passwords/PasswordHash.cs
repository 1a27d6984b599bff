using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Passwords;
using AlchemyTypes.Passwords.Internal;

namespace AlchemyTypes;

/// <summary>
/// A password property stored as a salted hash (Argon2id PHC string, BCrypt modular crypt string…). Assign
/// <see cref="FromPassword"/> to set a password: <c>SaveChanges</c> hashes it with the hasher configured for new hashes,
/// zeroes the copy of the plaintext, and only the hash reaches the database. Loaded values verify with
/// <see cref="Verify"/>. <see cref="ToString"/> never shows the password or the hash.
/// </summary>
public sealed class PasswordHash
{
    private readonly Lock _lock = new();
    private byte[]? _pendingPassword;
    private string? _encodedHash;
    private PasswordHasherRegistry? _registry;

    private PasswordHash(byte[]? pendingPassword, string? encodedHash, PasswordHasherRegistry? registry)
    {
        _pendingPassword = pendingPassword;
        _encodedHash = encodedHash;
        _registry = registry;
    }

    /// <summary>Whether the password is still waiting to be hashed by <c>SaveChanges</c>.</summary>
    public bool IsPending
    {
        get
        {
            lock (_lock)
            {
                return _encodedHash is null;
            }
        }
    }

    /// <summary>The encoded hash (for example <c>$argon2id$v=19$m=19456,t=2,p=1$…</c>), or null while <see cref="IsPending"/>.</summary>
    public string? EncodedHash
    {
        get
        {
            lock (_lock)
            {
                return _encodedHash;
            }
        }
    }

    /// <summary>
    /// Whether the stored hash should be replaced: it uses weaker parameters or another algorithm than the hasher
    /// configured for new hashes, or it is malformed or of an unknown algorithm. False while pending.
    /// </summary>
    public bool NeedsRehash
    {
        get
        {
            var (hash, registry) = Attached();
            return hash is not null && (registry is null || registry.NeedsRehash(hash));
        }
    }

    /// <summary>
    /// A password to be hashed when the entity is saved. The plaintext is copied to a buffer that is zeroed once hashed;
    /// keep the string itself out of logs and long-lived objects.
    /// </summary>
    /// <param name="password">The password; not null or empty.</param>
    /// <returns>A pending password hash.</returns>
    /// <exception cref="InvalidPasswordException">The password is null or empty.</exception>
    public static PasswordHash FromPassword(string password)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw new InvalidPasswordException("A password must not be null or empty. Validate the input before calling PasswordHash.FromPassword.");
        }

        return new PasswordHash(Encoding.UTF8.GetBytes(password), null, null);
    }

    /// <summary>
    /// An existing encoded hash (for example imported from another system, or produced by the <c>argon2</c> or
    /// <c>htpasswd</c> tools). It can be verified once the entity holding it is saved or loaded by a context that has a
    /// hasher for its algorithm.
    /// </summary>
    /// <param name="encodedHash">The encoded hash; not null or empty.</param>
    /// <returns>A password hash holding that string.</returns>
    public static PasswordHash FromHash(string encodedHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(encodedHash);
        return new PasswordHash(null, encodedHash, null);
    }

    /// <summary>Checks a password against the stored hash in constant time. False for a null password or a malformed or unknown hash; never throws for those.</summary>
    /// <param name="password">The password to check.</param>
    /// <returns>Whether it matches.</returns>
    /// <exception cref="PasswordHashStateException">The password has not been hashed yet, or no hashers are attached.</exception>
    public bool Verify(string? password)
    {
        var (hash, registry) = RequireHashed();
        if (string.IsNullOrEmpty(password))
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return registry.Verify(bytes, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// <see cref="Verify"/> without blocking the calling thread while the hasher waits for a free slot (Argon2 bounds
    /// how many hashes run at once).
    /// </summary>
    /// <param name="password">The password to check.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it matches.</returns>
    public async ValueTask<bool> VerifyAsync(string? password, CancellationToken cancellationToken = default)
    {
        var (hash, registry) = RequireHashed();
        if (string.IsNullOrEmpty(password))
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return await registry.VerifyAsync(bytes, hash, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Verifies a password and, when it is valid and <see cref="NeedsRehash"/>, hashes it again with the hasher configured
    /// for new hashes. Assign <see cref="PasswordVerificationResult.NewHash"/> to the property and save to upgrade it.
    /// </summary>
    /// <param name="password">The password to check.</param>
    /// <returns>Whether it was valid, and the new hash to store when an upgrade is due.</returns>
    public PasswordVerificationResult VerifyAndUpgrade(string? password)
    {
        var (hash, registry) = RequireHashed();
        if (string.IsNullOrEmpty(password))
        {
            return new PasswordVerificationResult(false, null);
        }

        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            if (!registry.Verify(bytes, hash))
            {
                return new PasswordVerificationResult(false, null);
            }

            return new PasswordVerificationResult(true, registry.NeedsRehash(hash) ? new PasswordHash(null, registry.Current.Hash(bytes), registry) : null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary><see cref="VerifyAndUpgrade"/> without blocking the calling thread while the hasher waits for a free slot.</summary>
    /// <param name="password">The password to check.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it was valid, and the new hash to store when an upgrade is due.</returns>
    public async ValueTask<PasswordVerificationResult> VerifyAndUpgradeAsync(string? password, CancellationToken cancellationToken = default)
    {
        var (hash, registry) = RequireHashed();
        if (string.IsNullOrEmpty(password))
        {
            return new PasswordVerificationResult(false, null);
        }

        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            if (!await registry.VerifyAsync(bytes, hash, cancellationToken).ConfigureAwait(false))
            {
                return new PasswordVerificationResult(false, null);
            }

            if (!registry.NeedsRehash(hash))
            {
                return new PasswordVerificationResult(true, null);
            }

            var newHash = await registry.Current.HashAsync(bytes, cancellationToken).ConfigureAwait(false);
            return new PasswordVerificationResult(true, new PasswordHash(null, newHash, registry));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Describes the state without revealing the password or the hash: <c>PasswordHash(pending)</c> or <c>PasswordHash(argon2id)</c>.</summary>
    /// <returns>A safe description.</returns>
    public override string ToString()
    {
        var (hash, registry) = Attached();
        if (hash is null)
        {
            return "PasswordHash(pending)";
        }

        return $"PasswordHash({registry?.Find(hash)?.Algorithm ?? "unverified"})";
    }

    internal static PasswordHash Loaded(string encodedHash, PasswordHasherRegistry registry) => new(null, encodedHash, registry);

    /// <summary>The stored string; throws when still pending (the SaveChanges interceptor hashes first).</summary>
    internal string ToProvider(string entityType, string property)
        => EncodedHash ?? throw new PasswordHashStateException(
            $"The password of '{entityType}.{property}' was not hashed before being written. AlchemyTypes hashes pending passwords in SaveChanges/SaveChangesAsync; "
            + "bulk updates (ExecuteUpdate) and query parameters need a hashed value.");

    /// <summary>Hashes a pending password (or attaches an imported hash) with the context's hashers, then zeroes the plaintext copy.</summary>
    internal void Complete(PasswordHasherRegistry registry)
    {
        byte[]? pending;
        lock (_lock)
        {
            _registry ??= registry;
            pending = _pendingPassword;
            if (pending is null)
            {
                return;
            }
        }

        Finish(registry.Current.Hash(pending), pending);
    }

    /// <inheritdoc cref="Complete" />
    internal async ValueTask CompleteAsync(PasswordHasherRegistry registry, CancellationToken cancellationToken)
    {
        byte[]? pending;
        lock (_lock)
        {
            _registry ??= registry;
            pending = _pendingPassword;
            if (pending is null)
            {
                return;
            }
        }

        Finish(await registry.Current.HashAsync(pending, cancellationToken).ConfigureAwait(false), pending);
    }

    private void Finish(string encodedHash, byte[] pending)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_pendingPassword, pending))
            {
                _encodedHash = encodedHash;
                _pendingPassword = null;
                CryptographicOperations.ZeroMemory(pending);
            }
        }
    }

    private (string? Hash, PasswordHasherRegistry? Registry) Attached()
    {
        lock (_lock)
        {
            return (_encodedHash, _registry);
        }
    }

    private (string Hash, PasswordHasherRegistry Registry) RequireHashed()
    {
        var (hash, registry) = Attached();
        if (hash is null)
        {
            throw new PasswordHashStateException("This password has not been hashed yet: it is hashed when the entity is saved (SaveChanges/SaveChangesAsync). Save first, or verify the loaded value.");
        }

        if (registry is null)
        {
            throw new PasswordHashStateException("This hash is not attached to any password hasher: save the entity (or load it) through a context configured with UseArgon2()/UseBCrypt() before verifying.");
        }

        return (hash, registry);
    }
}
