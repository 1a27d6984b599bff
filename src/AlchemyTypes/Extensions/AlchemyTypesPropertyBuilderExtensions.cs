using AlchemyTypes.Keys;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using AlchemyTypes.Infrastructure.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Per-property AlchemyTypes configuration in <c>OnModelCreating</c>.</summary>
public static class AlchemyTypesPropertyBuilderExtensions
{
    /// <summary>Turns the UTC enforcement of a <see cref="DateTime"/> property on or off (it is on by convention).</summary>
    /// <param name="propertyBuilder">The property.</param>
    /// <param name="enabled">False to store and read the property exactly as EF Core would without AlchemyTypes.</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder HasUtcEnforcement(this PropertyBuilder propertyBuilder, bool enabled = true)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.UtcEnforcement, enabled);
        return propertyBuilder;
    }

    /// <inheritdoc cref="HasUtcEnforcement(PropertyBuilder, bool)" />
    /// <typeparam name="TProperty">The property type.</typeparam>
    public static PropertyBuilder<TProperty> HasUtcEnforcement<TProperty>(this PropertyBuilder<TProperty> propertyBuilder, bool enabled = true)
        => (PropertyBuilder<TProperty>)HasUtcEnforcement((PropertyBuilder)propertyBuilder, enabled);

    /// <summary>Generates a time-ordered UUID (version 7; SQL Server layout on SQL Server) for the property on add.</summary>
    /// <param name="propertyBuilder">A <see cref="Guid"/> property.</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder<Guid> HasUuidV7Generator(this PropertyBuilder<Guid> propertyBuilder)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        return propertyBuilder.ValueGeneratedOnAdd().HasValueGenerator((_, _) => new UuidV7ValueGenerator());
    }

    /// <summary>Generates an RFC 9562 version 6 UUID for the property on add.</summary>
    /// <param name="propertyBuilder">A <see cref="Guid"/> property.</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder<Guid> HasUuidV6Generator(this PropertyBuilder<Guid> propertyBuilder)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        return propertyBuilder.ValueGeneratedOnAdd().HasValueGenerator((_, _) => new UuidV6ValueGenerator());
    }

    /// <summary>Generates a Nanoid for the property on add and sizes its column to fit.</summary>
    /// <param name="propertyBuilder">A <see cref="string"/> property.</param>
    /// <param name="size">The number of symbols (21 by default).</param>
    /// <param name="alphabet">The alphabet (<c>A-Za-z0-9_-</c> by default).</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder<string> HasNanoidGenerator(
        this PropertyBuilder<string> propertyBuilder,
        int size = Nanoid.DefaultSize,
        string alphabet = Nanoid.DefaultAlphabet)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        var generator = new NanoidValueGenerator(size, alphabet);
        return propertyBuilder.ValueGeneratedOnAdd().HasMaxLength(size).HasValueGenerator((_, _) => generator);
    }
}
