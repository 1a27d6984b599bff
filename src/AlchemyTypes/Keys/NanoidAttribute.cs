using Microsoft.EntityFrameworkCore.ValueGeneration;
using AlchemyTypes.Keys;

namespace AlchemyTypes;

/// <summary>Generates a <see cref="Nanoid"/> for a <see cref="string"/> property on add, and sizes its column to fit.</summary>
public sealed class NanoidAttribute : KeyGeneratorAttribute
{
    /// <summary>The number of symbols; 21 unless set.</summary>
    public int Size { get; set; } = Nanoid.DefaultSize;

    /// <summary>The alphabet; <see cref="Nanoid.DefaultAlphabet"/> unless set.</summary>
    public string Alphabet { get; set; } = Nanoid.DefaultAlphabet;

    /// <inheritdoc />
    public override Type ValueType => typeof(string);

    /// <inheritdoc />
    public override int? MaxLength => Size;

    /// <inheritdoc />
    public override ValueGenerator CreateGenerator() => new NanoidValueGenerator(Size, Alphabet);
}
