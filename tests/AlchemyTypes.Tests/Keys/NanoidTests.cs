using AlchemyTypes.Keys;
using AlchemyTypes.Testing;

namespace AlchemyTypes.Tests.Keys;

public sealed class NanoidTests
{
    [Fact]
    public void Default_id_has_21_symbols_from_the_url_safe_alphabet()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Nanoid.Generate()).ToList();
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{21}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(64, Nanoid.DefaultAlphabet.Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(600)]
    public void Custom_size_is_honoured(int size) => Assert.Equal(size, Nanoid.Generate(size).Length);

    [Promise("P-KEYS-06", "P-KEYS-07")]
    [Fact]
    public void Default_alphabet_is_uniform_chi_square()
    {
        // 100,000 ids x 21 symbols over 64 symbols. The generator draws from the OS CSPRNG, which cannot be seeded, so the
        // thresholds are set where a uniform generator exceeds them once in 10^9 runs (chi-square upper tail p = 1e-9).
        // Chi-square with 63 degrees of freedom: P(X > 156) < 1e-9.
        var counts = Count(Enumerable.Range(0, 100_000).Select(_ => Nanoid.Generate()), Nanoid.DefaultAlphabet);
        Assert.True(ChiSquare(counts) < 156, $"chi-square {ChiSquare(counts):F1} says the symbols are not uniform");
    }

    [Promise("P-KEYS-06", "P-KEYS-07")]
    [Fact]
    public void Non_power_of_two_alphabet_is_uniform_rejection_not_modulo()
    {
        // 10 symbols: masking to 16 and rejecting 10..15 keeps it uniform; a modulo of a byte would favour 0-5 by 4%.
        const string digits = "0123456789";
        var counts = Count(Enumerable.Range(0, 50_000).Select(_ => Nanoid.Generate(20, digits)), digits);
        // 9 degrees of freedom: P(X > 64) < 1e-9 for a uniform generator; a 4% bias on six symbols over 1,000,000 draws
        // gives ~1,000, so the test still fails for a modulo.
        Assert.True(ChiSquare(counts) < 64, $"chi-square {ChiSquare(counts):F1} says the digits are not uniform");
    }

    [Promise("P-KEYS-06", "P-KEYS-07")]
    [Fact]
    public void Three_symbol_alphabet_is_uniform()
    {
        const string abc = "abc";
        var counts = Count(Enumerable.Range(0, 30_000).Select(_ => Nanoid.Generate(10, abc)), abc);
        // 2 degrees of freedom: P(X > x) = exp(-x / 2), so P(X > 41.5) < 1e-9 for a uniform generator.
        Assert.True(ChiSquare(counts) < 41.5, $"chi-square {ChiSquare(counts):F1} (2 degrees of freedom)");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(Nanoid.MaxSize + 1)]
    public void Size_out_of_range_is_rejected(int size)
        => Assert.Throws<ArgumentOutOfRangeException>("size", () => Nanoid.Generate(size));

    [Fact]
    public void Bad_alphabets_are_rejected_with_a_reason()
    {
        Assert.Throws<ArgumentNullException>(() => Nanoid.Generate(5, null!));
        Assert.Contains("from 2 to 256", Assert.Throws<ArgumentException>(() => Nanoid.Generate(5, "a")).Message, StringComparison.Ordinal);
        Assert.Contains("from 2 to 256", Assert.Throws<ArgumentException>(() => Nanoid.Generate(5, new string(Enumerable.Range(0,
            257).Select(i => (char)(i + 32)).ToArray()))).Message, StringComparison.Ordinal);
        Assert.Contains("'a' appears twice", Assert.Throws<ArgumentException>(() => Nanoid.Generate(5, "abca")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new NanoidValueGenerator(5, "xx"));
    }

    private static long[] Count(IEnumerable<string> ids, string alphabet)
    {
        var counts = new long[alphabet.Length];
        foreach (var id in ids)
        {
            foreach (var c in id)
            {
                counts[alphabet.IndexOf(c, StringComparison.Ordinal)]++;
            }
        }

        return counts;
    }

    private static double ChiSquare(long[] counts)
    {
        double expected = counts.Sum() / (double)counts.Length;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }
}
