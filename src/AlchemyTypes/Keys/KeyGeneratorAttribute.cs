using Microsoft.EntityFrameworkCore.ValueGeneration;

namespace AlchemyTypes;

/// <summary>
/// Marks a property whose value AlchemyTypes generates on the client when the entity is added.
/// The property is configured as <c>ValueGeneratedOnAdd</c> with the generator the attribute names.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public abstract class KeyGeneratorAttribute : Attribute
{
    /// <summary>The CLR type of the property the generator produces values for.</summary>
    public abstract Type ValueType { get; }

    /// <summary>The longest value the generator produces, for column sizing, or null when it does not apply.</summary>
    public virtual int? MaxLength => null;

    /// <summary>Creates the value generator. Called once per property when the model is built.</summary>
    /// <returns>A value generator.</returns>
    public abstract ValueGenerator CreateGenerator();
}
