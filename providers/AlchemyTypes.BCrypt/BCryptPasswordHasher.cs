using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AlchemyTypes.Passwords;

namespace AlchemyTypes.BCrypt;

/// <summary>
/// BCrypt password hashing with BCrypt.Net-Next. New hashes are <c>$2b$&lt;cost&gt;$…</c>; <c>$2a$</c>, <c>$2b$</c> and
/// <c>$2y$</c> (Apache <c>htpasswd -B</c>, PHP) verify. Passwords longer than 72 UTF-8 bytes, which BCrypt would
/// silently truncate, are refused with <see cref="PasswordTooLongException"/> when hashing and never match when verifying.
/// Two hashers with the same work factor are equal.
/// </summary>
public sealed partial class BCryptPasswordHasher : IPasswordHasher, IEquatable<BCryptPasswordHasher>
{
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

        WorkFactor = options.WorkFactor;
    }

    /// <inheritdoc />
    public string Algorithm => "bcrypt";

    /// <summary>The cost of new hashes.</summary>
    public int WorkFactor { get; }

    /// <inheritdoc />
    public bool CanVerify(string encodedHash) => encodedHash is not null && HashPattern().IsMatch(encodedHash);

    /// <inheritdoc />
    public string Hash(ReadOnlySpan<byte> passwordUtf8)
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

        return global::BCrypt.Net.BCrypt.HashPassword(Encoding.UTF8.GetString(passwordUtf8), global::BCrypt.Net.BCrypt.GenerateSalt(WorkFactor, 'b'));
    }

    /// <inheritdoc />
    public bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash)
    {
        if (passwordUtf8.IsEmpty || passwordUtf8.Length > MaxPasswordBytes || passwordUtf8.Contains((byte)0) || !CanVerify(encodedHash))
        {
            return false;
        }

        try
        {
            return global::BCrypt.Net.BCrypt.Verify(Encoding.UTF8.GetString(passwordUtf8), encodedHash);
        }
        catch (Exception ex) when (ex is global::BCrypt.Net.SaltParseException or global::BCrypt.Net.BcryptAuthenticationException
            or ArgumentException or FormatException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public bool NeedsRehash(string encodedHash)
        => !CanVerify(encodedHash)
            || int.Parse(encodedHash.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture) < WorkFactor;

    /// <inheritdoc />
    public bool Equals(BCryptPasswordHasher? other) => other is not null && WorkFactor == other.WorkFactor;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BCryptPasswordHasher other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(nameof(BCryptPasswordHasher), WorkFactor);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"bcrypt (cost {WorkFactor})");

    [GeneratedRegex(@"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$", RegexOptions.CultureInvariant)]
    private static partial Regex HashPattern();
}
