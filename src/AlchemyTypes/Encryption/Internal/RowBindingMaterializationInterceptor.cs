using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Checks, as each entity is materialized, that the values of its properties bound to their row were encrypted for this
/// row: the row key inside each <c>v3</c> value (recorded by the converter, <see cref="RowBoundValues"/>) must equal the key
/// of the entity it was read into. Entity types without such properties cost one cached lookup.
/// </summary>
internal sealed class RowBindingMaterializationInterceptor : IMaterializationInterceptor
{
    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        var entityType = materializationData.EntityType;
        var bound = entityType.GetOrAddRuntimeAnnotationValue(
            AlchemyTypesAnnotationNames.RowBoundPropertiesCache, static t => RowBoundProperty.Of(t!), entityType);
        if (bound.Length == 0)
        {
            return entity;
        }

        byte[]? rowKey = null;
        foreach (var (property, converter, rows) in bound)
        {
            // Null, empty (bound to its column only), or a v2 value written before the property was bound to its row pass.
            rows.Check(property.GetGetter().GetClrValue(entity) as string, () => rowKey ??= KeyOf(entityType, materializationData, entity), converter);
        }

        return entity;
    }

    private static byte[] KeyOf(IEntityType entityType, MaterializationInterceptionData materializationData, object entity)
    {
        // The key as the entity holds it (the interception data's accessors read the data reader again, and are not
        // guaranteed to return the same value for a key property); the interception data only for shadow keys.
        var values = new Dictionary<IProperty, object?>();
        foreach (var property in entityType.FindPrimaryKey()!.Properties)
        {
            values[property] = property.IsShadowProperty() ? materializationData.GetPropertyValue(property) : property.GetGetter().GetClrValue(entity);
        }

        return RowKey.Compute(entityType.FindPrimaryKey()!.Properties, p => values[p]);
    }

    private sealed record RowBoundProperty(IProperty Property, EncryptedStringConverter Converter, RowBoundValues Rows)
    {
        public static RowBoundProperty[] Of(IEntityType entityType)
            => entityType.FindPrimaryKey() is null
                ? []
                : entityType.GetProperties()
                    .Where(p => p.GetValueConverter() is EncryptedStringConverter { Rows: not null } && !p.IsShadowProperty())
                    .Select(p => (IProperty: p, Converter: (EncryptedStringConverter)p.GetValueConverter()!))
                    .Select(p => new RowBoundProperty(p.IProperty, p.Converter, p.Converter.Rows!))
                    .ToArray();
    }
}
