using Microsoft.EntityFrameworkCore.ValueGeneration;
using AlchemyTypes.Keys;

namespace AlchemyTypes;

/// <summary>Generates an RFC 9562 version 6 UUID for a <see cref="Guid"/> property on add.</summary>
public sealed class UuidV6Attribute : KeyGeneratorAttribute
{
    /// <inheritdoc />
    public override Type ValueType => typeof(Guid);

    /// <inheritdoc />
    public override ValueGenerator CreateGenerator() => new UuidV6ValueGenerator();
}
