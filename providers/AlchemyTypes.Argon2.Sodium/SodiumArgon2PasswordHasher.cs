using System.Globalization;
using System.Security.Cryptography;
using AlchemyTypes.Passwords;
using AlchemyTypes.Shared.Passwords;

namespace AlchemyTypes.Argon2.Sodium;

/// <summary>
/// Argon2id password hashing with libsodium (through the Geralt binding): native speed, and the memory matrix is
/// allocated and wiped by libsodium, not by the .NET garbage collector. Reads and writes the same PHC strings as
/// <c>AlchemyTypes.Argon2</c>, the reference <c>argon2</c> tool and libsodium itself:
/// <c>$argon2id$v=19$m=&lt;KiB&gt;,t=&lt;iterations&gt;,p=1$&lt;salt&gt;$&lt;hash&gt;</c>. Every parameter of a stored hash is bounded
/// (<see cref="SodiumArgon2Options"/>): a hash beyond the limits is never computed and does not verify. At most
/// <see cref="SodiumArgon2Options.MaxConcurrency"/> computations run at once, and together they never hold more than
/// <see cref="SodiumArgon2Options.MemoryBudgetKiB"/>; the rest wait their turn. Argon2i and Argon2d strings are left to
/// another registered hasher (<c>AlchemyTypes.Argon2</c> verifies them). Two hashers with the same options are equal.
/// </summary>
public sealed class SodiumArgon2PasswordHasher : IPasswordHasher, IEquatable<SodiumArgon2PasswordHasher>, IDisposable
{
    /// <summary>The salt length of new hashes (libsodium's <c>crypto_pwhash_SALTBYTES</c>).</summary>
    public const int SaltLength = Geralt.Argon2id.SaltSize;

    /// <summary>The largest memory parameter libsodium takes through the binding (its memory limit is an <see cref="int"/> in bytes).</summary>
    private const int MaxMemorySizeKiB = int.MaxValue / 1024;

    /// <summary>libsodium's <c>crypto_pwhash_STRBYTES</c>: an encoded hash it verifies must be shorter (it ends with a NUL).</summary>
    private const int MaxSodiumStringLength = Geralt.Argon2id.HashSize - 1;

    private readonly Argon2Gate _gate;

    /// <summary>Creates a hasher with the OWASP defaults.</summary>
    public SodiumArgon2PasswordHasher()
        : this(new SodiumArgon2Options())
    {
    }

    /// <summary>Creates a hasher with the given options (copied; later changes to the object have no effect).</summary>
    /// <param name="options">The parameters.</param>
    /// <exception cref="AlchemyTypesConfigurationException">A parameter is out of range.</exception>
    public SodiumArgon2PasswordHasher(SodiumArgon2Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Settings = Argon2Settings.Create(
            options.MemorySizeKiB, options.Iterations, parallelism: 1, SaltLength, options.HashLength,
            options.MaxConcurrency, options.MemoryBudgetKiB, options.MaxVerifyMemorySizeKiB, options.MaxVerifyIterations,
            options.MaxVerifyParallelism);
        if (Settings.MaxVerifyMemorySizeKiB > MaxMemorySizeKiB)
        {
            throw new AlchemyTypesConfigurationException(
                $"Invalid Argon2 options: MaxVerifyMemorySizeKiB must be at most {MaxMemorySizeKiB} KiB (2 GiB) with libsodium.");
        }

        _gate = new Argon2Gate(Settings.MaxConcurrency, Settings.MemoryBudgetKiB);
    }

    /// <inheritdoc />
    public string Algorithm => "argon2id";

    /// <summary>Memory per new hash, in KiB.</summary>
    public int MemorySizeKiB => Settings.MemorySizeKiB;

    /// <summary>Iterations of new hashes.</summary>
    public int Iterations => Settings.Iterations;

    /// <summary>The bound on simultaneous computations.</summary>
    public int MaxConcurrency => Settings.MaxConcurrency;

    /// <summary>The bound on the memory of simultaneous computations, in KiB.</summary>
    public long MemoryBudgetKiB => Settings.MemoryBudgetKiB;

    /// <summary>The highest number of computations seen running at once (for tests of the bound).</summary>
    internal int PeakConcurrency => _gate.PeakConcurrency;

    /// <summary>The most memory (KiB) seen admitted at once (for tests of the budget).</summary>
    internal long PeakMemoryKiB => _gate.PeakMemoryKiB;

    private Argon2Settings Settings { get; }

    /// <summary>
    /// Whether the string is an Argon2id hash this hasher takes: any <c>$argon2id$</c> string (malformed ones then fail
    /// verification) except a well-formed one that libsodium cannot compute (more than one lane or a salt other than 16
    /// bytes, whose string is 128 characters or longer), which is left to another registered hasher. Never throws.
    /// </summary>
    /// <param name="encodedHash">An encoded hash string.</param>
    /// <returns>True when this hasher should be the one to verify it.</returns>
    public bool CanVerify(string encodedHash)
        => encodedHash is not null
            && encodedHash.StartsWith("$argon2id$", StringComparison.Ordinal)
            && (!Argon2PhcString.TryParse(encodedHash, out var parsed) || IsComputable(parsed));

    /// <inheritdoc />
    public string Hash(ReadOnlySpan<byte> passwordUtf8)
    {
        RequirePassword(passwordUtf8.Length);
        using var lease = _gate.Enter(Settings.MemorySizeKiB);
        return HashCore(passwordUtf8);
    }

    /// <inheritdoc />
    public async ValueTask<string> HashAsync(ReadOnlyMemory<byte> passwordUtf8, CancellationToken cancellationToken = default)
    {
        RequirePassword(passwordUtf8.Length);
        using var lease = await _gate.EnterAsync(Settings.MemorySizeKiB, cancellationToken).ConfigureAwait(false);
        return HashCore(passwordUtf8.Span);
    }

    /// <inheritdoc />
    public bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash)
    {
        if (!TryAdmit(passwordUtf8.Length, encodedHash, out var parsed))
        {
            return false;
        }

        using var lease = _gate.Enter(parsed.MemorySizeKiB);
        return VerifyCore(passwordUtf8, parsed);
    }

    /// <inheritdoc />
    public async ValueTask<bool> VerifyAsync(ReadOnlyMemory<byte> passwordUtf8, string encodedHash, CancellationToken cancellationToken = default)
    {
        if (!TryAdmit(passwordUtf8.Length, encodedHash, out var parsed))
        {
            return false;
        }

        using var lease = await _gate.EnterAsync(parsed.MemorySizeKiB, cancellationToken).ConfigureAwait(false);
        return VerifyCore(passwordUtf8.Span, parsed);
    }

    /// <inheritdoc />
    public bool NeedsRehash(string encodedHash)
        => !Argon2PhcString.TryParse(encodedHash, out var parsed) || !Settings.Admits(parsed) || Settings.IsWeakerThanNew(parsed);

    /// <inheritdoc />
    public bool Equals(SodiumArgon2PasswordHasher? other) => other is not null && Settings == other.Settings;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SodiumArgon2PasswordHasher other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(nameof(SodiumArgon2PasswordHasher), Settings);

    /// <inheritdoc />
    public override string ToString()
        => string.Create(
            CultureInfo.InvariantCulture,
            $"argon2id with libsodium (m={Settings.MemorySizeKiB} KiB, t={Settings.Iterations}, p=1, at most {Settings.MaxConcurrency} at once "
            + $"within {Settings.MemoryBudgetKiB} KiB)");

    /// <summary>Releases the concurrency gate.</summary>
    public void Dispose() => _gate.Dispose();

    /// <summary>Computes an encoded hash with a given 16-byte salt (tests compare it with the reference tool).</summary>
    internal string HashWithSalt(ReadOnlySpan<byte> passwordUtf8, ReadOnlySpan<byte> salt)
    {
        Span<byte> hash = stackalloc byte[Settings.HashLength];
        Geralt.Argon2id.DeriveKey(hash, passwordUtf8, salt, Settings.Iterations, Settings.MemorySizeKiB * 1024);
        return Argon2PhcString.Format("argon2id", Settings.MemorySizeKiB, Settings.Iterations, 1, salt, hash);
    }

    private static bool IsComputable(Argon2PhcString parsed)
        => (parsed.Parallelism == 1 && parsed.Salt.Length == SaltLength) || parsed.ToCanonicalString().Length <= MaxSodiumStringLength;

    private static void RequirePassword(int length)
    {
        if (length == 0)
        {
            throw new InvalidPasswordException("A password must not be empty.");
        }
    }

    private bool TryAdmit(int passwordLength, string encodedHash, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Argon2PhcString? parsed)
    {
        parsed = null;
        return passwordLength > 0
            && Argon2PhcString.TryParse(encodedHash, out parsed)
            && parsed.Type == "argon2id"
            && Settings.Admits(parsed)
            && IsComputable(parsed);
    }

    private string HashCore(ReadOnlySpan<byte> password)
    {
        Span<byte> salt = stackalloc byte[SaltLength];
        RandomNumberGenerator.Fill(salt);
        return HashWithSalt(password, salt);
    }

    private static bool VerifyCore(ReadOnlySpan<byte> password, Argon2PhcString parsed)
    {
        if (parsed.Parallelism == 1 && parsed.Salt.Length == SaltLength)
        {
            // The common case (every hash libsodium or this hasher writes): the raw function, compared in constant time.
            Span<byte> actual = stackalloc byte[parsed.Hash.Length];
            Geralt.Argon2id.DeriveKey(actual, password, parsed.Salt, parsed.Iterations, parsed.MemorySizeKiB * 1024);
            return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
        }

        // More lanes or another salt length: libsodium's own verifier of the canonical string (it computes the lanes in turn).
        return Geralt.Argon2id.VerifyHash(parsed.ToCanonicalString(), password);
    }
}
