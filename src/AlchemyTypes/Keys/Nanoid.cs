using System.Numerics;
using System.Security.Cryptography;

namespace AlchemyTypes.Keys;

/// <summary>
/// Generates Nanoid identifiers: short, URL-safe, uniformly random strings. The default is 21 symbols from
/// <c>A-Za-z0-9_-</c> (126 bits of randomness). Symbols are drawn without bias: random bytes from
/// <see cref="RandomNumberGenerator"/> are masked to the smallest power of two covering the alphabet and values
/// outside the alphabet are rejected, never folded with a modulo.
/// </summary>
public static class Nanoid
{
    /// <summary>The default alphabet: the 64 URL-safe symbols <c>A-Za-z0-9_-</c>.</summary>
    public const string DefaultAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    /// <summary>The default length, 21 symbols.</summary>
    public const int DefaultSize = 21;

    /// <summary>The longest identifier <see cref="Generate(int, string)"/> produces in one call.</summary>
    public const int MaxSize = 4096;

    /// <summary>Generates an identifier of <see cref="DefaultSize"/> symbols from <see cref="DefaultAlphabet"/>.</summary>
    /// <returns>A new identifier.</returns>
    public static string Generate() => Generate(DefaultSize, DefaultAlphabet);

    /// <summary>Generates an identifier of <paramref name="size"/> symbols from <see cref="DefaultAlphabet"/>.</summary>
    /// <param name="size">The number of symbols, from 1 to <see cref="MaxSize"/>.</param>
    /// <returns>A new identifier.</returns>
    public static string Generate(int size) => Generate(size, DefaultAlphabet);

    /// <summary>Generates an identifier of <paramref name="size"/> symbols drawn uniformly from <paramref name="alphabet"/>.</summary>
    /// <param name="size">The number of symbols, from 1 to <see cref="MaxSize"/>.</param>
    /// <param name="alphabet">From 2 to 256 distinct characters.</param>
    /// <returns>A new identifier.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="alphabet"/> is too short, too long or repeats a character.</exception>
    public static string Generate(int size, string alphabet)
    {
        ValidateSize(size);
        ValidateAlphabet(alphabet);
        return GenerateCore(size, alphabet);
    }

    /// <summary>Checks that <paramref name="size"/> is a usable identifier length.</summary>
    /// <param name="size">The number of symbols.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is below 1 or above <see cref="MaxSize"/>.</exception>
    public static void ValidateSize(int size)
    {
        if (size is < 1 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A Nanoid has from 1 to {MaxSize} symbols.");
        }
    }

    /// <summary>Checks that <paramref name="alphabet"/> is a usable Nanoid alphabet.</summary>
    /// <param name="alphabet">The alphabet.</param>
    /// <exception cref="ArgumentException">It is null, has fewer than 2 or more than 256 characters, or repeats a character.</exception>
    public static void ValidateAlphabet(string alphabet)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        if (alphabet.Length is < 2 or > 256)
        {
            throw new ArgumentException($"A Nanoid alphabet has from 2 to 256 characters; this one has {alphabet.Length}.", nameof(alphabet));
        }

        if (ReferenceEquals(alphabet, DefaultAlphabet))
        {
            return;
        }

        // One bit per UTF-16 code unit: 8 KiB on the stack, no allocation.
        Span<ulong> seen = stackalloc ulong[1024];
        seen.Clear();
        foreach (var c in alphabet)
        {
            ref var word = ref seen[c >> 6];
            var bit = 1UL << (c & 63);
            if ((word & bit) != 0)
            {
                throw new ArgumentException($"A Nanoid alphabet must not repeat a character: '{c}' appears twice, which would make it more "
                    + $"likely than the others.", nameof(alphabet));
            }

            word |= bit;
        }
    }

    internal static string GenerateCore(int size, string alphabet)
    {
        // The smallest all-ones mask covering alphabet.Length - 1: bytes are masked, and values >= alphabet.Length rejected.
        var mask = (int)(BitOperations.RoundUpToPowerOf2((uint)alphabet.Length) - 1);
        // Expected bytes per accepted symbol is (mask + 1) / length; 1.6 gives headroom so one refill is rare.
        var step = Math.Max(1, (int)Math.Ceiling(1.6 * (mask + 1) * size / alphabet.Length));

        return string.Create(size, (alphabet, mask, step), static (chars, state) =>
        {
            Span<byte> bytes = state.step <= 512 ? stackalloc byte[state.step] : new byte[state.step];
            var filled = 0;
            while (true)
            {
                RandomNumberGenerator.Fill(bytes);
                foreach (var b in bytes)
                {
                    var index = b & state.mask;
                    if (index < state.alphabet.Length)
                    {
                        chars[filled++] = state.alphabet[index];
                        if (filled == chars.Length)
                        {
                            return;
                        }
                    }
                }
            }
        });
    }
}
