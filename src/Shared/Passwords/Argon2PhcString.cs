using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AlchemyTypes.Shared.Passwords;

/// <summary>
/// An Argon2 hash in the PHC string format, <c>$argon2id$v=19$m=&lt;KiB&gt;,t=&lt;iterations&gt;,p=&lt;lanes&gt;$&lt;salt&gt;$&lt;hash&gt;</c>
/// (salt and hash in standard Base64 without padding), as the reference <c>argon2</c> tool and libsodium read and write it.
/// Linked source: compiled into every Argon2 provider package, so they parse and write exactly the same strings.
/// Parsing never throws and refuses anything outside the structural limits below; the limits that depend on the
/// configuration (memory, iterations, lanes) are checked by <see cref="Argon2Settings.Admits"/>.
/// </summary>
internal sealed class Argon2PhcString
{
    /// <summary>The only version accepted and written (0x13 = 19); the original 1.0 (0x10) has no <c>v=</c> field and is refused.</summary>
    public const int Version = 0x13;

    /// <summary>The shortest salt accepted, in bytes (the reference implementation's minimum).</summary>
    public const int MinSaltLength = 8;

    /// <summary>The longest salt accepted, in bytes.</summary>
    public const int MaxSaltLength = 64;

    /// <summary>The shortest hash accepted, in bytes.</summary>
    public const int MinHashLength = 16;

    /// <summary>The longest hash accepted, in bytes.</summary>
    public const int MaxHashLength = 128;

    /// <summary>The most lanes the format allows (Argon2's own maximum is 2^24 − 1; 255 is the PHC recommendation).</summary>
    public const int MaxParallelism = 255;

    /// <summary>The longest string parsed: longer input is refused before any work.</summary>
    public const int MaxEncodedLength = 512;

    private Argon2PhcString(string type, int memorySizeKiB, int iterations, int parallelism, byte[] salt, byte[] hash)
    {
        Type = type;
        MemorySizeKiB = memorySizeKiB;
        Iterations = iterations;
        Parallelism = parallelism;
        Salt = salt;
        Hash = hash;
    }

    /// <summary>The variant: <c>argon2id</c>, <c>argon2i</c> or <c>argon2d</c>.</summary>
    public string Type { get; }

    /// <summary>The memory parameter <c>m</c>, in KiB.</summary>
    public int MemorySizeKiB { get; }

    /// <summary>The iteration count <c>t</c>.</summary>
    public int Iterations { get; }

    /// <summary>The lanes <c>p</c>.</summary>
    public int Parallelism { get; }

    /// <summary>The decoded salt.</summary>
    public byte[] Salt { get; }

    /// <summary>The decoded hash.</summary>
    public byte[] Hash { get; }

    /// <summary>Whether the string starts like an Argon2 hash of any variant (argon2id, argon2i, argon2d). Never throws.</summary>
    public static bool HasArgon2Prefix([NotNullWhen(true)] string? encoded)
        => encoded is not null
            && (encoded.StartsWith("$argon2id$", StringComparison.Ordinal)
                || encoded.StartsWith("$argon2i$", StringComparison.Ordinal)
                || encoded.StartsWith("$argon2d$", StringComparison.Ordinal));

    /// <summary>Writes the PHC string.</summary>
    public static string Format(string type, int memorySizeKiB, int iterations, int parallelism, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"${type}$v=19$m={memorySizeKiB},t={iterations},p={parallelism}${ToBase64NoPadding(salt)}${ToBase64NoPadding(hash)}");

    /// <summary>
    /// Parses a PHC string. False (never an exception) for anything else: another algorithm, another version, a
    /// missing, repeated, reordered, signed or zero-padded parameter, a value out of the structural limits, Base64 with
    /// padding or bad characters, a salt or hash of the wrong length, or a string longer than <see cref="MaxEncodedLength"/>.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? encoded, [NotNullWhen(true)] out Argon2PhcString? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(encoded) || encoded.Length > MaxEncodedLength || !HasArgon2Prefix(encoded))
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
            || iterations < 1 || parallelism is < 1 or > MaxParallelism || memory < 8 * parallelism)
        {
            return false;
        }

        if (!TryFromBase64NoPadding(parts[4], out var salt) || salt.Length is < MinSaltLength or > MaxSaltLength
            || !TryFromBase64NoPadding(parts[5], out var hash) || hash.Length is < MinHashLength or > MaxHashLength)
        {
            return false;
        }

        parsed = new Argon2PhcString(parts[1], memory, iterations, parallelism, salt, hash);
        return true;
    }

    /// <summary>This hash written back in the canonical form.</summary>
    public string ToCanonicalString() => Format(Type, MemorySizeKiB, Iterations, Parallelism, Salt, Hash);

    /// <summary>The parameters only (never the salt or the hash).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Type} m={MemorySizeKiB} t={Iterations} p={Parallelism}");

    private static bool TryParseParameter(string text, string prefix, out int value)
    {
        value = 0;
        return text.StartsWith(prefix, StringComparison.Ordinal)
            && text.Length > prefix.Length && text.Length <= prefix.Length + 10
            && (text.Length == prefix.Length + 1 || text[prefix.Length] != '0')
            && int.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static string ToBase64NoPadding(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

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

        // Only the canonical encoding: unused low bits of the last character must be zero (as in the reference decoder).
        return ToBase64NoPadding(bytes) == text;
    }
}
