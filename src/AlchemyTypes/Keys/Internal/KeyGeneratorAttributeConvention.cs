using System.Reflection;
using AlchemyTypes.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace AlchemyTypes.Keys.Internal;

/// <summary>Configures client-side value generation for properties marked with a <see cref="KeyGeneratorAttribute"/>.</summary>
internal sealed class KeyGeneratorAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : PropertyAttributeConventionBase<KeyGeneratorAttribute>(dependencies)
{
    protected override void ProcessPropertyAdded(
        IConventionPropertyBuilder propertyBuilder,
        KeyGeneratorAttribute attribute,
        MemberInfo clrMember,
        IConventionContext context)
    {
        var property = propertyBuilder.Metadata;
        if (property.ClrType != attribute.ValueType)
        {
            throw new AlchemyTypesConfigurationException(
                $"[{attribute.GetType().Name.Replace("Attribute", string.Empty, StringComparison.Ordinal)}] is on '{property.DeclaringType.DisplayName()}.{property.Name}', "
                + $"a {property.ClrType.Name} property, but it generates {attribute.ValueType.Name} values. Change the property type or remove the attribute.");
        }

        var generator = attribute.CreateGenerator();
        propertyBuilder.ValueGenerated(ValueGenerated.OnAdd, fromDataAnnotation: true);
        propertyBuilder.HasValueGenerator((_, _) => generator, fromDataAnnotation: true);
        if (attribute.MaxLength is { } maxLength)
        {
            propertyBuilder.HasMaxLength(maxLength, fromDataAnnotation: true);
        }
    }
}
