using System.Globalization;
using System.Security.Cryptography;
using AlchemyTypes.Passwords;
using AlchemyTypes.Shared.Passwords;
using Konscious.Security.Cryptography;

namespace AlchemyTypes.Argon2;

/// <summary>
/// Argon2id password hashing with Konscious.Security.Cryptography (fully managed), in the PHC string format
/// <c>$argon2id$v=19$m=&lt;KiB&gt;,t=&lt;iterations&gt;,p=&lt;lanes&gt;$&lt;salt&gt;$&lt;hash&gt;</c> (standard Base64 without padding) that
/// the reference <c>argon2</c> tool and libsodium read and write. Verifies Argon2i and Argon2d strings too (they always
/// need a rehash). Every parameter of a stored hash is bounded (<see cref="Argon2Options"/>): a hash beyond the limits is
/// never computed and does not verify. At most <see cref="Argon2Options.MaxConcurrency"/> computations run at once, and
/// together they never hold more than <see cref="Argon2Options.MemoryBudgetKiB"/>; the rest wait their turn. For speed
/// (about 3x) and no managed allocation of the memory matrix, use <c>AlchemyTypes.Argon2.Sodium</c>: it reads and writes
/// the same strings. Two hashers with the same options are equal, so building one per <c>DbContext</c> does not create
/// new EF Core service providers.
/// </summary>
public sealed class Argon2PasswordHasher : IPasswordHasher, IEquatable<Argon2PasswordHasher>, IDisposable
{
    private readonly Argon2Gate _gate;

    /// <summary>Creates a hasher with the OWASP defaults.</summary>
    public Argon2PasswordHasher()
        : this(new Argon2Options())
    {
    }

    /// <summary>Creates a hasher with the given options (copied; later changes to the object have no effect).</summary>
    /// <param name="options">The parameters.</param>
    /// <exception cref="AlchemyTypesConfigurationException">A parameter is out of range.</exception>
    public Argon2PasswordHasher(Argon2Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Settings = Argon2Settings.Create(
            options.MemorySizeKiB, options.Iterations, options.Parallelism, options.SaltLength, options.HashLength,
            options.MaxConcurrency, options.MemoryBudgetKiB, options.MaxVerifyMemorySizeKiB, options.MaxVerifyIterations,
            options.MaxVerifyParallelism);
        _gate = new Argon2Gate(Settings.MaxConcurrency, Settings.MemoryBudgetKiB);
    }

    /// <inheritdoc />
    public string Algorithm => "argon2id";

    /// <summary>Memory per new hash, in KiB.</summary>
    public int MemorySizeKiB => Settings.MemorySizeKiB;

    /// <summary>Iterations of new hashes.</summary>
    public int Iterations => Settings.Iterations;

    /// <summary>Lanes of new hashes.</summary>
    public int Parallelism => Settings.Parallelism;

    /// <summary>The bound on simultaneous computations.</summary>
    public int MaxConcurrency => Settings.MaxConcurrency;

    /// <summary>The bound on the memory of simultaneous computations, in KiB.</summary>
    public long MemoryBudgetKiB => Settings.MemoryBudgetKiB;

    /// <summary>The highest number of computations seen running at once (for tests of the bound).</summary>
    internal int PeakConcurrency => _gate.PeakConcurrency;

    /// <summary>The most memory (KiB) seen admitted at once (for tests of the budget).</summary>
    internal long PeakMemoryKiB => _gate.PeakMemoryKiB;

    private Argon2Settings Settings { get; }

    /// <inheritdoc />
    public bool CanVerify(string encodedHash) => Argon2PhcString.HasArgon2Prefix(encodedHash);

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
        if (passwordUtf8.IsEmpty || !Argon2PhcString.TryParse(encodedHash, out var parsed) || !Settings.Admits(parsed))
        {
            return false;
        }

        using var lease = _gate.Enter(parsed.MemorySizeKiB);
        return VerifyCore(passwordUtf8, parsed);
    }

    /// <inheritdoc />
    public async ValueTask<bool> VerifyAsync(ReadOnlyMemory<byte> passwordUtf8, string encodedHash, CancellationToken cancellationToken = default)
    {
        if (passwordUtf8.IsEmpty || !Argon2PhcString.TryParse(encodedHash, out var parsed) || !Settings.Admits(parsed))
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
    public bool Equals(Argon2PasswordHasher? other) => other is not null && Settings == other.Settings;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Argon2PasswordHasher other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Settings.GetHashCode();

    /// <inheritdoc />
    public override string ToString()
        => string.Create(
            CultureInfo.InvariantCulture,
            $"argon2id (m={Settings.MemorySizeKiB} KiB, t={Settings.Iterations}, p={Settings.Parallelism}, at most {Settings.MaxConcurrency} at once "
            + $"within {Settings.MemoryBudgetKiB} KiB)");

    /// <summary>Releases the concurrency gate.</summary>
    public void Dispose() => _gate.Dispose();

    /// <summary>Computes an encoded hash with a given salt (tests compare it with the reference tool).</summary>
    internal string HashWithSalt(ReadOnlySpan<byte> passwordUtf8, byte[] salt)
    {
        var hash = Compute("argon2id", passwordUtf8, salt, Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, Settings.HashLength);
        return Argon2PhcString.Format("argon2id", Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, salt, hash);
    }

    private static byte[] Compute(string type, ReadOnlySpan<byte> password, byte[] salt, int memory, int iterations, int parallelism, int length)
    {
        var passwordCopy = password.ToArray();
        try
        {
            using Konscious.Security.Cryptography.Argon2 argon2 = type switch
            {
                "argon2i" => new Argon2i(passwordCopy),
                "argon2d" => new Argon2d(passwordCopy),
                _ => new Argon2id(passwordCopy),
            };
            argon2.Salt = salt;
            argon2.MemorySize = memory;
            argon2.Iterations = iterations;
            argon2.DegreeOfParallelism = parallelism;
            return argon2.GetBytes(length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordCopy);
        }
    }

    private static void RequirePassword(int length)
    {
        if (length == 0)
        {
            throw new InvalidPasswordException("A password must not be empty.");
        }
    }

    private string HashCore(ReadOnlySpan<byte> password)
    {
        var salt = RandomNumberGenerator.GetBytes(Settings.SaltLength);
        var hash = Compute("argon2id", password, salt, Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, Settings.HashLength);
        return Argon2PhcString.Format("argon2id", Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, salt, hash);
    }

    private static bool VerifyCore(ReadOnlySpan<byte> password, Argon2PhcString parsed)
    {
        var actual = Compute(parsed.Type, password, parsed.Salt, parsed.MemorySizeKiB, parsed.Iterations, parsed.Parallelism, parsed.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }
}
