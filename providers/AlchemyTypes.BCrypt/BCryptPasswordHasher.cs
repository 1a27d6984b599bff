using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AlchemyTypes.Passwords;

namespace AlchemyTypes.BCrypt;

/// <summary>
/// BCrypt password hashing with BCrypt.Net-Next. New hashes are <c>$2b$&lt;cost&gt;$…</c>; <c>$2a$</c>, <c>$2b$</c> and
/// <c>$2y$</c> (Apache <c>htpasswd -B</c>, PHP) verify. Passwords longer than 72 UTF-8 bytes, which BCrypt would
/// silently truncate, are refused with <see cref="PasswordTooLongException"/> when hashing and never match when verifying.
/// Stored hashes above <see cref="MaxVerifyWorkFactor"/> are refused before any work (<see cref="PasswordHashCostException"/>),
/// and at most <see cref="MaxConcurrency"/> computations of one hasher run at once. Two hashers with the same options are equal.
/// </summary>
public sealed partial class BCryptPasswordHasher : IPasswordHasher, IEquatable<BCryptPasswordHasher>, IDisposable
{
    private readonly SemaphoreSlim _gate;

    /// <summary>The longest password BCrypt takes, in UTF-8 bytes.</summary>
    public const int MaxPasswordBytes = 72;

    /// <summary>Creates a hasher with cost 12.</summary>
    public BCryptPasswordHasher()
        : this(new BCryptOptions())
    {
    }

    /// <summary>Creates a hasher with the given options (copied).</summary>
    /// <param name="options">The parameters.</param>
    /// <exception cref="AlchemyTypesConfigurationException">The work factor is out of range.</exception>
    public BCryptPasswordHasher(BCryptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.WorkFactor is < 4 or > 31)
        {
            throw new AlchemyTypesConfigurationException($"Invalid BCrypt options: WorkFactor must be 4 to 31 (OWASP asks for at least 10; "
                + $"the default is 12), not {options.WorkFactor}.");
        }

        if (options.MaxVerifyWorkFactor < options.WorkFactor || options.MaxVerifyWorkFactor > 31)
        {
            throw new AlchemyTypesConfigurationException($"Invalid BCrypt options: MaxVerifyWorkFactor must be at least WorkFactor "
                + $"({options.WorkFactor}) and at most 31 (default 15), not {options.MaxVerifyWorkFactor}.");
        }

        if (options.MaxConcurrency is < 1 or > 1024)
        {
            throw new AlchemyTypesConfigurationException($"Invalid BCrypt options: MaxConcurrency must be 1 to 1,024 (default: the "
                + $"number of processors), not {options.MaxConcurrency}.");
        }

        WorkFactor = options.WorkFactor;
        MaxVerifyWorkFactor = options.MaxVerifyWorkFactor;
        MaxConcurrency = options.MaxConcurrency;
        _gate = new SemaphoreSlim(MaxConcurrency, MaxConcurrency);
    }

    /// <inheritdoc />
    public string Algorithm => "bcrypt";

    /// <summary>The cost of new hashes.</summary>
    public int WorkFactor { get; }

    /// <summary>The highest cost of a stored hash that is verified; above it, <see cref="PasswordHashCostException"/>.</summary>
    public int MaxVerifyWorkFactor { get; }

    /// <summary>How many hashes and verifications of this hasher run at once.</summary>
    public int MaxConcurrency { get; }

    /// <inheritdoc />
    public bool CanVerify(string encodedHash) => encodedHash is not null && HashPattern().IsMatch(encodedHash);

    /// <inheritdoc />
    public string Hash(ReadOnlySpan<byte> passwordUtf8)
    {
        var password = CheckNew(passwordUtf8);
        _gate.Wait();
        try
        {
            return HashCore(password);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<string> HashAsync(ReadOnlyMemory<byte> passwordUtf8, CancellationToken cancellationToken = default)
    {
        var password = CheckNew(passwordUtf8.Span);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return HashCore(password);
        }
        finally
        {
            _gate.Release();
        }
    }

    private string HashCore(string password)
        => global::BCrypt.Net.BCrypt.HashPassword(password, global::BCrypt.Net.BCrypt.GenerateSalt(WorkFactor, 'b'));

    private string CheckNew(ReadOnlySpan<byte> passwordUtf8)
    {
        if (passwordUtf8.IsEmpty)
        {
            throw new InvalidPasswordException("A password must not be empty.");
        }

        if (passwordUtf8.Length > MaxPasswordBytes)
        {
            throw new PasswordTooLongException(Algorithm, MaxPasswordBytes, passwordUtf8.Length);
        }

        if (passwordUtf8.Contains((byte)0))
        {
            throw new InvalidPasswordException("The password contains a NUL character, which BCrypt implementations treat as its end. Remove "
                + "it, or hash new passwords with Argon2.");
        }

        return Encoding.UTF8.GetString(passwordUtf8);
    }

    /// <inheritdoc />
    /// <exception cref="PasswordHashCostException">The stored hash asks for a cost above <see cref="MaxVerifyWorkFactor"/>; nothing was computed.</exception>
    public bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash)
    {
        if (!Verifiable(passwordUtf8, encodedHash))
        {
            return false;
        }

        var password = Encoding.UTF8.GetString(passwordUtf8);
        _gate.Wait();
        try
        {
            return VerifyCore(password, encodedHash);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="PasswordHashCostException">The stored hash asks for a cost above <see cref="MaxVerifyWorkFactor"/>; nothing was computed.</exception>
    public async ValueTask<bool> VerifyAsync(ReadOnlyMemory<byte> passwordUtf8, string encodedHash, CancellationToken cancellationToken = default)
    {
        if (!Verifiable(passwordUtf8.Span, encodedHash))
        {
            return false;
        }

        var password = Encoding.UTF8.GetString(passwordUtf8.Span);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A computation cannot be interrupted once started: the token is honoured while waiting and up to here.
            cancellationToken.ThrowIfCancellationRequested();
            return VerifyCore(password, encodedHash);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>False for input that never verifies; throws, before any work, for a hash above the cost limit.</summary>
    private bool Verifiable(ReadOnlySpan<byte> passwordUtf8, string encodedHash)
    {
        if (passwordUtf8.IsEmpty || passwordUtf8.Length > MaxPasswordBytes || passwordUtf8.Contains((byte)0) || !CanVerify(encodedHash))
        {
            return false;
        }

        var cost = CostOf(encodedHash);
        return cost <= MaxVerifyWorkFactor ? true : throw new PasswordHashCostException(Algorithm, cost, MaxVerifyWorkFactor);
    }

    private static bool VerifyCore(string password, string encodedHash)
    {
        try
        {
            return global::BCrypt.Net.BCrypt.Verify(password, encodedHash);
        }
        catch (Exception ex) when (ex is global::BCrypt.Net.SaltParseException or global::BCrypt.Net.BcryptAuthenticationException
            or ArgumentException or FormatException)
        {
            return false;
        }
    }

    private static int CostOf(string encodedHash) => int.Parse(encodedHash.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public bool NeedsRehash(string encodedHash)
        => !CanVerify(encodedHash)
            || CostOf(encodedHash) < WorkFactor
            || CostOf(encodedHash) > MaxVerifyWorkFactor;

    /// <inheritdoc />
    public bool Equals(BCryptPasswordHasher? other)
        => other is not null && WorkFactor == other.WorkFactor && MaxVerifyWorkFactor == other.MaxVerifyWorkFactor
            && MaxConcurrency == other.MaxConcurrency;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BCryptPasswordHasher other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(nameof(BCryptPasswordHasher), WorkFactor, MaxVerifyWorkFactor, MaxConcurrency);

    /// <summary>Releases the concurrency gate. Dispose only once no hash or verification can start any more.</summary>
    public void Dispose() => _gate.Dispose();

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"bcrypt (cost {WorkFactor})");

    [GeneratedRegex(@"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$", RegexOptions.CultureInvariant)]
    private static partial Regex HashPattern();
}
