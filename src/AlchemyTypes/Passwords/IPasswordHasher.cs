namespace AlchemyTypes.Passwords;

/// <summary>
/// A password hashing algorithm producing standard encoded strings (PHC, modular crypt). Implemented by the provider
/// packages (<c>AlchemyTypes.Argon2</c>, <c>AlchemyTypes.BCrypt</c>) and registered with
/// <c>AddAlchemyTypes(a =&gt; a.UseArgon2())</c> or <see cref="AlchemyTypesOptionsBuilder.AddPasswordHasher"/>.
/// Passwords reach it as UTF-8 bytes in a buffer the caller zeroes afterwards. Implementations must be thread-safe.
/// EF Core keys its internal service provider on the registered hashers with <see cref="object.Equals(object)"/>:
/// implement value equality over the configuration, or register a single instance.
/// </summary>
public interface IPasswordHasher
{
    /// <summary>The algorithm name, as in the encoded strings (for example <c>argon2id</c>, <c>bcrypt</c>).</summary>
    string Algorithm { get; }

    /// <summary>Whether <paramref name="encodedHash"/> looks like a hash of this algorithm (its prefix and layout). Never throws.</summary>
    /// <param name="encodedHash">An encoded hash string.</param>
    /// <returns>True when this hasher should be the one to verify it.</returns>
    bool CanVerify(string encodedHash);

    /// <summary>Hashes a password with a fresh random salt and the configured parameters.</summary>
    /// <param name="passwordUtf8">The password as UTF-8 bytes; not empty.</param>
    /// <returns>The encoded hash string.</returns>
    /// <exception cref="InvalidPasswordException">The password cannot be hashed by this algorithm (for instance too long).</exception>
    string Hash(ReadOnlySpan<byte> passwordUtf8);

    /// <summary>Hashes a password without blocking the calling thread while waiting for a free slot (Argon2 bounds concurrency).</summary>
    /// <param name="passwordUtf8">The password as UTF-8 bytes; not empty; must stay unchanged until the task completes.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot.</param>
    /// <returns>The encoded hash string.</returns>
    ValueTask<string> HashAsync(ReadOnlyMemory<byte> passwordUtf8, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Hash(passwordUtf8.Span));

    /// <summary>Checks a password against an encoded hash in constant time. Returns false (never throws) for a malformed hash.</summary>
    /// <param name="passwordUtf8">The password as UTF-8 bytes.</param>
    /// <param name="encodedHash">The stored hash.</param>
    /// <returns>Whether the password matches.</returns>
    bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash);

    /// <summary>Checks a password without blocking the calling thread while waiting for a free slot.</summary>
    /// <param name="passwordUtf8">The password as UTF-8 bytes; must stay unchanged until the task completes.</param>
    /// <param name="encodedHash">The stored hash.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot.</param>
    /// <returns>Whether the password matches.</returns>
    ValueTask<bool> VerifyAsync(ReadOnlyMemory<byte> passwordUtf8, string encodedHash, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Verify(passwordUtf8.Span, encodedHash));

    /// <summary>Whether a hash of this algorithm uses weaker parameters than the configured ones (or is malformed). Never throws.</summary>
    /// <param name="encodedHash">The stored hash.</param>
    /// <returns>True when the hash should be replaced on the next successful login.</returns>
    bool NeedsRehash(string encodedHash);
}
