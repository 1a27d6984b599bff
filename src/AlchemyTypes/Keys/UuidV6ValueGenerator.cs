using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.ValueGeneration;

namespace AlchemyTypes.Keys;

/// <summary>Generates RFC 9562 version 6 UUID keys on the client with a <see cref="UuidV6Generator"/>.</summary>
public sealed class UuidV6ValueGenerator : ValueGenerator<Guid>
{
    private readonly UuidV6Generator _generator;

    /// <summary>Creates a value generator with its own <see cref="UuidV6Generator"/>.</summary>
    public UuidV6ValueGenerator()
        : this(new UuidV6Generator())
    {
    }

    /// <summary>Creates a value generator that draws from <paramref name="generator"/>.</summary>
    /// <param name="generator">The generator to use.</param>
    public UuidV6ValueGenerator(UuidV6Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
    }

    /// <inheritdoc />
    public override bool GeneratesTemporaryValues => false;

    /// <inheritdoc />
    public override Guid Next(EntityEntry entry) => _generator.NewGuid();
}
