using System.Globalization;
using System.Security.Cryptography;
using AlchemyTypes.Passwords;
using Konscious.Security.Cryptography;

namespace AlchemyTypes.Argon2;

/// <summary>
/// Argon2id password hashing with Konscious.Security.Cryptography, in the PHC string format
/// <c>$argon2id$v=19$m=&lt;KiB&gt;,t=&lt;iterations&gt;,p=&lt;lanes&gt;$&lt;salt&gt;$&lt;hash&gt;</c> (standard Base64 without padding) that
/// the reference <c>argon2</c> tool and libsodium read and write. Verifies Argon2i and Argon2d strings too (they always
/// need a rehash). At most <see cref="Argon2Options.MaxConcurrency"/> computations run at once. Two hashers with the
/// same options are equal, so building one per <c>DbContext</c> does not create new EF Core service providers.
/// </summary>
public sealed class Argon2PasswordHasher : IPasswordHasher, IEquatable<Argon2PasswordHasher>, IDisposable
{
    private const int Version = 0x13;
    private readonly SemaphoreSlim _gate;
    private int _running;
    private int _peak;

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
        Settings = new Parameters(
            options.MemorySizeKiB, options.Iterations, options.Parallelism, options.SaltLength, options.HashLength,
            options.MaxConcurrency, options.MaxVerifyMemorySizeKiB, options.MaxVerifyIterations);
        Validate(Settings);
        _gate = new SemaphoreSlim(Settings.MaxConcurrency, Settings.MaxConcurrency);
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

    /// <summary>The highest number of computations seen running at once (for tests of the bound).</summary>
    internal int PeakConcurrency => Volatile.Read(ref _peak);

    private Parameters Settings { get; }

    /// <inheritdoc />
    public bool CanVerify(string encodedHash)
        => encodedHash is not null
            && (encodedHash.StartsWith("$argon2id$", StringComparison.Ordinal)
                || encodedHash.StartsWith("$argon2i$", StringComparison.Ordinal)
                || encodedHash.StartsWith("$argon2d$", StringComparison.Ordinal));

    /// <inheritdoc />
    public string Hash(ReadOnlySpan<byte> passwordUtf8)
    {
        RequirePassword(passwordUtf8.Length);
        _gate.Wait();
        Enter();
        try
        {
            return HashCore(passwordUtf8);
        }
        finally
        {
            Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<string> HashAsync(ReadOnlyMemory<byte> passwordUtf8, CancellationToken cancellationToken = default)
    {
        RequirePassword(passwordUtf8.Length);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Enter();
        try
        {
            return HashCore(passwordUtf8.Span);
        }
        finally
        {
            Release();
        }
    }

    /// <inheritdoc />
    public bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash)
    {
        if (passwordUtf8.IsEmpty || !TryParse(encodedHash, out var parsed) || !WithinLimits(parsed))
        {
            return false;
        }

        _gate.Wait();
        Enter();
        try
        {
            return VerifyCore(passwordUtf8, parsed);
        }
        finally
        {
            Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> VerifyAsync(ReadOnlyMemory<byte> passwordUtf8, string encodedHash, CancellationToken cancellationToken = default)
    {
        if (passwordUtf8.IsEmpty || !TryParse(encodedHash, out var parsed) || !WithinLimits(parsed))
        {
            return false;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Enter();
        try
        {
            return VerifyCore(passwordUtf8.Span, parsed);
        }
        finally
        {
            Release();
        }
    }

    /// <inheritdoc />
    public bool NeedsRehash(string encodedHash)
        => !TryParse(encodedHash, out var parsed)
            || parsed.Type != "argon2id"
            || parsed.MemorySizeKiB < Settings.MemorySizeKiB
            || parsed.Iterations < Settings.Iterations
            || parsed.Parallelism < Settings.Parallelism
            || parsed.Salt.Length < Settings.SaltLength
            || parsed.Hash.Length < Settings.HashLength;

    /// <inheritdoc />
    public bool Equals(Argon2PasswordHasher? other) => other is not null && Settings == other.Settings;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Argon2PasswordHasher other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Settings.GetHashCode();

    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"argon2id (m={Settings.MemorySizeKiB} KiB, t={Settings.Iterations}, p={Settings.Parallelism}, at most {Settings.MaxConcurrency} at once)");

    /// <summary>Releases the concurrency gate.</summary>
    public void Dispose() => _gate.Dispose();

    /// <summary>Computes an encoded hash with a given salt (tests compare it with the reference tool).</summary>
    internal string HashWithSalt(ReadOnlySpan<byte> passwordUtf8, byte[] salt)
    {
        var hash = Compute("argon2id", passwordUtf8, salt, Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, Settings.HashLength);
        return Encode("argon2id", Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, salt, hash);
    }

    internal static string Encode(string type, int memory, int iterations, int parallelism, byte[] salt, byte[] hash)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"${type}$v=19$m={memory},t={iterations},p={parallelism}${ToBase64NoPadding(salt)}${ToBase64NoPadding(hash)}");

    internal static bool TryParse(string? encoded, out ParsedHash parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(encoded) || encoded.Length > 1024)
        {
            return false;
        }

        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] is not ("argon2id" or "argon2i" or "argon2d") || parts[2] != "v=19")
        {
            return false;
        }

        var parameters = parts[3].Split(',');
        if (parameters.Length != 3
            || !TryParseParameter(parameters[0], "m=", out var memory)
            || !TryParseParameter(parameters[1], "t=", out var iterations)
            || !TryParseParameter(parameters[2], "p=", out var parallelism)
            || iterations < 1 || parallelism is < 1 or > 255 || memory < 8 * parallelism)
        {
            return false;
        }

        if (!TryFromBase64NoPadding(parts[4], out var salt) || salt.Length is < 8 or > 64
            || !TryFromBase64NoPadding(parts[5], out var hash) || hash.Length is < 16 or > 128)
        {
            return false;
        }

        parsed = new ParsedHash(parts[1], memory, iterations, parallelism, salt, hash);
        return true;
    }

    private static bool TryParseParameter(string text, string prefix, out int value)
    {
        value = 0;
        return text.StartsWith(prefix, StringComparison.Ordinal)
            && text.Length > prefix.Length && text.Length <= prefix.Length + 10
            && (text.Length == prefix.Length + 1 || text[prefix.Length] != '0')
            && int.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static string ToBase64NoPadding(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryFromBase64NoPadding(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 == 1 || text.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        var padded = text + new string('=', (4 - (text.Length % 4)) % 4);
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
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

    private static void Validate(Parameters p)
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new AlchemyTypesConfigurationException("Invalid Argon2 options: " + message);
            }
        }

        Check(p.Parallelism is >= 1 and <= 255, "Parallelism must be 1 to 255.");
        Check(p.MemorySizeKiB >= 8 * p.Parallelism, "MemorySizeKiB must be at least 8 × Parallelism (OWASP recommends 19456).");
        Check(p.Iterations >= 1, "Iterations must be at least 1 (OWASP recommends 2 with 19 MiB).");
        Check(p.SaltLength is >= 8 and <= 64, "SaltLength must be 8 to 64 bytes (16 recommended).");
        Check(p.HashLength is >= 16 and <= 128, "HashLength must be 16 to 128 bytes (32 recommended).");
        Check(p.MaxConcurrency >= 1, "MaxConcurrency must be at least 1.");
        Check(p.MaxVerifyMemorySizeKiB >= p.MemorySizeKiB, "MaxVerifyMemorySizeKiB must be at least MemorySizeKiB.");
        Check(p.MaxVerifyIterations >= p.Iterations, "MaxVerifyIterations must be at least Iterations.");
    }

    private string HashCore(ReadOnlySpan<byte> password)
    {
        var salt = RandomNumberGenerator.GetBytes(Settings.SaltLength);
        var hash = Compute("argon2id", password, salt, Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, Settings.HashLength);
        return Encode("argon2id", Settings.MemorySizeKiB, Settings.Iterations, Settings.Parallelism, salt, hash);
    }

    private bool VerifyCore(ReadOnlySpan<byte> password, ParsedHash parsed)
    {
        var actual = Compute(parsed.Type, password, parsed.Salt, parsed.MemorySizeKiB, parsed.Iterations, parsed.Parallelism, parsed.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }

    private bool WithinLimits(ParsedHash parsed)
        => parsed.MemorySizeKiB <= Settings.MaxVerifyMemorySizeKiB && parsed.Iterations <= Settings.MaxVerifyIterations;

    private void Enter()
    {
        var running = Interlocked.Increment(ref _running);
        var peak = Volatile.Read(ref _peak);
        while (running > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, running, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    private void Release()
    {
        Interlocked.Decrement(ref _running);
        _gate.Release();
    }

    internal readonly record struct ParsedHash(string Type, int MemorySizeKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash);

    private sealed record Parameters(
        int MemorySizeKiB, int Iterations, int Parallelism, int SaltLength, int HashLength, int MaxConcurrency, int MaxVerifyMemorySizeKiB, int MaxVerifyIterations);
}
