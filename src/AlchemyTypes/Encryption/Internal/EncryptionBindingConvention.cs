using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Resolves the <see cref="EncryptionBinding"/> of every encrypted property (and of its blind index) from the final
/// model: the schema and table the entity type is mapped to and the property's column there. Entity types mapped to a
/// view (or to nothing) are bound to the view name (or the entity type name) and the property's column name.
/// </summary>
internal sealed class EncryptionBindingConvention : IModelFinalizedConvention
{
    public IModel ProcessModelFinalized(IModel model)
    {
        foreach (var entityType in model.GetEntityTypes())
        {
            foreach (var property in entityType.GetDeclaredProperties())
            {
                // The blind-index converter of the property shares this binding (its key is derived from the indexed column).
                if (property.GetValueConverter() is not EncryptedStringConverter { Binding: var binding })
                {
                    continue;
                }

                var (schema, table, storeObject) = entityType.GetTableName() is { } tableName
                    ? (entityType.GetSchema(), tableName, StoreObjectIdentifier.Table(tableName, entityType.GetSchema()))
                    : entityType.GetViewName() is { } view
                        ? (entityType.GetViewSchema(), view, StoreObjectIdentifier.View(view, entityType.GetViewSchema()))
                        : ((string?)null, entityType.Name, (StoreObjectIdentifier?)null);
                var column = (storeObject is { } so ? property.GetColumnName(so) : null) ?? property.GetColumnName();
                binding.Resolve(schema, table, column);
            }
        }

        return model;
    }
}
