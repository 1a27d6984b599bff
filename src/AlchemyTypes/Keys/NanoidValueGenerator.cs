using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.ValueGeneration;

namespace AlchemyTypes.Keys;

/// <summary>Generates <see cref="Nanoid"/> string keys on the client.</summary>
public sealed class NanoidValueGenerator : ValueGenerator<string>
{
    private readonly int _size;
    private readonly string _alphabet;

    /// <summary>Creates a generator of 21-symbol identifiers over <c>A-Za-z0-9_-</c>.</summary>
    public NanoidValueGenerator()
        : this(Nanoid.DefaultSize, Nanoid.DefaultAlphabet)
    {
    }

    /// <summary>Creates a generator with a custom length and alphabet.</summary>
    /// <param name="size">The number of symbols, from 1 to <see cref="Nanoid.MaxSize"/>.</param>
    /// <param name="alphabet">From 2 to 256 distinct characters.</param>
    public NanoidValueGenerator(int size, string alphabet)
    {
        Nanoid.ValidateSize(size);
        Nanoid.ValidateAlphabet(alphabet);
        _size = size;
        _alphabet = alphabet;
    }

    /// <inheritdoc />
    public override bool GeneratesTemporaryValues => false;

    /// <inheritdoc />
    public override string Next(EntityEntry entry) => Nanoid.GenerateCore(_size, _alphabet);
}
