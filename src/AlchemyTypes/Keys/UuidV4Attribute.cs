using Microsoft.EntityFrameworkCore.ValueGeneration;

namespace AlchemyTypes;

/// <summary>Generates a random (version 4) UUID for a <see cref="Guid"/> property on add, on every database provider.</summary>
public sealed class UuidV4Attribute : KeyGeneratorAttribute
{
    /// <inheritdoc />
    public override Type ValueType => typeof(Guid);

    /// <inheritdoc />
    public override ValueGenerator CreateGenerator() => new GuidValueGenerator();
}
