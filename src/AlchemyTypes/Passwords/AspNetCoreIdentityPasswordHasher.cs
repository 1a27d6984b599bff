using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using AlchemyTypes.Passwords;

namespace AlchemyTypes;

/// <summary>
/// Reads the password hashes of ASP.NET Core Identity (<c>PasswordHasher&lt;TUser&gt;</c>), so that users migrated from
/// Identity keep their passwords: register it next to the hasher for new passwords
/// (<c>a.UseSodiumArgon2().AddPasswordHasher(new AspNetCoreIdentityPasswordHasher())</c>) and
/// <see cref="PasswordHash.VerifyAndUpgrade"/> replaces each Identity hash with an Argon2id one on the user's next
/// successful sign-in. Both formats are Base64 of a byte string: V2 is <c>0x00</c>, a 16-byte salt and a 32-byte
/// PBKDF2-HMAC-SHA1 subkey (1,000 iterations); V3 is <c>0x01</c>, then the PRF (0 = SHA-1, 1 = SHA-256, 2 = SHA-512),
/// the iteration count and the salt length as big-endian 32-bit integers, the salt and the subkey. Every field of a
/// stored hash is bounded: iterations up to <see cref="AspNetCoreIdentityHashOptions.MaxVerifyIterations"/>, and the
/// 16-byte salt and 32-byte subkey Identity always writes (a shorter subkey would be a truncated hash that PBKDF2 still
/// matches). Anything else does not verify and needs a rehash. When registered
/// for new hashes it writes V3 with HMAC-SHA512, a 16-byte salt and a 32-byte subkey, as Identity does.
/// </summary>
public sealed class AspNetCoreIdentityPasswordHasher : IPasswordHasher, IEquatable<AspNetCoreIdentityPasswordHasher>
{
    /// <summary>The longest encoded hash read, in characters.</summary>
    public const int MaxEncodedLength = 256;

    private const int V2Iterations = 1000;
    private const int V2SaltLength = 16;
    private const int V2SubkeyLength = 32;
    private const int V3HeaderLength = 13;
    private const int SaltLength = 16;
    private const int SubkeyLength = 32;
    private const int PrfSha512 = 2;

    /// <summary>Creates a hasher with the defaults (100,000 iterations for new hashes, at most 1,000,000 accepted).</summary>
    public AspNetCoreIdentityPasswordHasher()
        : this(new AspNetCoreIdentityHashOptions())
    {
    }

    /// <summary>Creates a hasher with the given options (copied).</summary>
    /// <param name="options">The parameters.</param>
    /// <exception cref="AlchemyTypesConfigurationException">A value is out of range.</exception>
    public AspNetCoreIdentityPasswordHasher(AspNetCoreIdentityHashOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Iterations < 1 || options.MaxVerifyIterations < options.Iterations)
        {
            throw new AlchemyTypesConfigurationException(
                "Invalid ASP.NET Core Identity hash options: Iterations must be at least 1 (Identity uses 100,000) "
                + "and MaxVerifyIterations at least Iterations.");
        }

        Iterations = options.Iterations;
        MaxVerifyIterations = options.MaxVerifyIterations;
    }

    /// <inheritdoc />
    public string Algorithm => "aspnetcore-identity";

    /// <summary>PBKDF2 iterations of new V3 hashes.</summary>
    public int Iterations { get; }

    /// <summary>The largest iteration count accepted in a stored V3 hash.</summary>
    public int MaxVerifyIterations { get; }

    /// <inheritdoc />
    public bool CanVerify(string encodedHash) => TryDecode(encodedHash, out _);

    /// <inheritdoc />
    public string Hash(ReadOnlySpan<byte> passwordUtf8)
    {
        if (passwordUtf8.IsEmpty)
        {
            throw new InvalidPasswordException("A password must not be empty.");
        }

        Span<byte> output = stackalloc byte[V3HeaderLength + SaltLength + SubkeyLength];
        output[0] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(output[1..], PrfSha512);
        BinaryPrimitives.WriteUInt32BigEndian(output[5..], (uint)Iterations);
        BinaryPrimitives.WriteUInt32BigEndian(output[9..], SaltLength);
        var salt = output.Slice(V3HeaderLength, SaltLength);
        RandomNumberGenerator.Fill(salt);
        Rfc2898DeriveBytes.Pbkdf2(passwordUtf8, salt, output[(V3HeaderLength + SaltLength)..], Iterations, HashAlgorithmName.SHA512);
        return Convert.ToBase64String(output);
    }

    /// <inheritdoc />
    public bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash)
    {
        if (passwordUtf8.IsEmpty || !TryDecode(encodedHash, out var decoded) || decoded.Iterations > MaxVerifyIterations)
        {
            return false;
        }

        var expected = decoded.Subkey;
        Span<byte> actual = stackalloc byte[expected.Length];
        Rfc2898DeriveBytes.Pbkdf2(passwordUtf8, decoded.Salt, actual, decoded.Iterations, decoded.Prf);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <inheritdoc />
    public bool NeedsRehash(string encodedHash)
        => !TryDecode(encodedHash, out var decoded)
            || decoded.Version != 3
            || decoded.Prf != HashAlgorithmName.SHA512
            || decoded.Iterations < Iterations
            || decoded.Iterations > MaxVerifyIterations;

    /// <inheritdoc />
    public bool Equals(AspNetCoreIdentityPasswordHasher? other)
        => other is not null && Iterations == other.Iterations && MaxVerifyIterations == other.MaxVerifyIterations;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AspNetCoreIdentityPasswordHasher other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(nameof(AspNetCoreIdentityPasswordHasher), Iterations, MaxVerifyIterations);

    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"ASP.NET Core Identity V2/V3 (PBKDF2; new: HMAC-SHA512, {Iterations} iterations)");

    /// <summary>
    /// Decodes and checks the layout; the iteration bound is checked by the caller (a V3 hash over it is still recognised
    /// as Identity's, so that it is refused by this hasher rather than reported as unknown). Never throws.
    /// </summary>
    private static bool TryDecode(string? encodedHash, out Decoded decoded)
    {
        decoded = default;
        if (string.IsNullOrEmpty(encodedHash) || encodedHash.Length > MaxEncodedLength || encodedHash.Length % 4 != 0)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[MaxEncodedLength / 4 * 3];
        if (!Convert.TryFromBase64String(encodedHash, buffer, out var length) || length == 0)
        {
            return false;
        }

        var bytes = buffer[..length];
        if (!string.Equals(Convert.ToBase64String(bytes), encodedHash, StringComparison.Ordinal))
        {
            // Not canonical (unused bits set in the last character): the same bytes under another spelling are refused,
            // so a stored hash has exactly one accepted form.
            return false;
        }

        switch (bytes[0])
        {
            case 0x00 when length == 1 + V2SaltLength + V2SubkeyLength:
                decoded = new Decoded(
                    2, HashAlgorithmName.SHA1, V2Iterations, bytes.Slice(1, V2SaltLength).ToArray(), bytes[(1 + V2SaltLength)..].ToArray());
                return true;
            case 0x01 when length >= V3HeaderLength:
                var prf = BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]) switch
                {
                    0 => HashAlgorithmName.SHA1,
                    1 => HashAlgorithmName.SHA256,
                    2 => HashAlgorithmName.SHA512,
                    _ => default,
                };
                var iterations = BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]);
                var saltLength = BinaryPrimitives.ReadUInt32BigEndian(bytes[9..]);
                if (prf == default || iterations is < 1 or > int.MaxValue || saltLength != SaltLength || length != V3HeaderLength + SaltLength + SubkeyLength)
                {
                    return false;
                }

                decoded = new Decoded(
                    3, prf, (int)iterations, bytes.Slice(V3HeaderLength, (int)saltLength).ToArray(), bytes[(V3HeaderLength + (int)saltLength)..].ToArray());
                return true;
            default:
                return false;
        }
    }

    private readonly record struct Decoded(int Version, HashAlgorithmName Prf, int Iterations, byte[] Salt, byte[] Subkey);
}
