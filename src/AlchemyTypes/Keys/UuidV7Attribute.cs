using Microsoft.EntityFrameworkCore.ValueGeneration;
using AlchemyTypes.Keys;

namespace AlchemyTypes;

/// <summary>Generates a time-ordered UUID (version 7, or the SQL Server layout on SQL Server) for a <see cref="Guid"/> property on add.</summary>
public sealed class UuidV7Attribute : KeyGeneratorAttribute
{
    /// <inheritdoc />
    public override Type ValueType => typeof(Guid);

    /// <inheritdoc />
    public override ValueGenerator CreateGenerator() => new UuidV7ValueGenerator();
}
