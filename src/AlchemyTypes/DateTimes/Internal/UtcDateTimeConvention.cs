using System.Reflection;
using AlchemyTypes.DateTimes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using AlchemyTypes.Infrastructure.Internal;

namespace AlchemyTypes.DateTimes.Internal;

/// <summary>
/// Puts a <see cref="UtcDateTimeConverter"/> on every <see cref="DateTime"/> and <see cref="DateTime"/>? property that
/// has no converter of its own and has not opted out. Runs first among the model-finalizing conventions (before EF Core maps store types) so the
/// provider's mapping (<c>timestamptz</c> on PostgreSQL, TEXT on SQLite) is chosen with the converter in place.
/// </summary>
internal sealed class UtcDateTimeConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes())
        {
            Apply(entityType, entityType.DisplayName());
        }
    }

    private static void Apply(IConventionTypeBase type, string displayName)
    {
        foreach (var property in type.GetDeclaredProperties())
        {
            if (property.ClrType != typeof(DateTime) && property.ClrType != typeof(DateTime?))
            {
                continue;
            }

            if (property.FindAnnotation(AlchemyTypesAnnotationNames.UtcEnforcement)?.Value is false
                || ((MemberInfo?)property.PropertyInfo ?? property.FieldInfo)?.IsDefined(typeof(NoUtcEnforcementAttribute), inherit: true) == true
                || property.GetValueConverter() is not null
                || property.FindAnnotation("ValueConverterType") is not null
                || property.GetProviderClrType() is not null)
            {
                continue;
            }

            property.Builder.HasConversion(new UtcDateTimeConverter(displayName, property.Name));
        }

        foreach (var complexProperty in type.GetDeclaredComplexProperties())
        {
            Apply(complexProperty.ComplexType, displayName + "." + complexProperty.Name);
        }
    }
}
