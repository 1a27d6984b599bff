using System.Data;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Passwords.Internal;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>
/// EF Core's documented extension point for new CLR types (as the NodaTime plugin of Npgsql does it): tells the type-mapping
/// source that <see cref="FileObject"/>, <see cref="FileObjectList"/> and <see cref="PasswordHash"/> map to a string column, so
/// EF Core discovers such properties by convention with no per-property configuration and without replacing any other
/// extension's services. The model-finalizing conventions then configure each property (converter naming the entity and
/// property, JSON column type where the provider has one); the database provider maps the resulting string column.
/// </summary>
internal sealed class AlchemyTypesTypeMappingSourcePlugin(AlchemyTypesSingletonOptions options) : IRelationalTypeMappingSourcePlugin
{
    public RelationalTypeMapping? FindMapping(in RelationalTypeMappingInfo mappingInfo)
    {
        var clrType = mappingInfo.ClrType;
        if (clrType is null)
        {
            return null;
        }

        ValueConverter? converter = clrType == typeof(FileObject) ? new FileObjectConverter(options.StorageRegistry)
            : clrType == typeof(FileObjectList) ? new FileObjectListConverter(options.StorageRegistry)
            : clrType == typeof(PasswordHash) ? new PasswordHashConverter(options.PasswordHashers)
            // Never a column: the row check RowBindingQueryInterceptor passes to its client-side call in a projection. EF Core
            // accepts a constant in a compiled projection only when its type has a mapping (else it suspects a captured object).
            : clrType == typeof(RowBindingQueryInterceptor.RowCheck) ? new ValueConverter<RowBindingQueryInterceptor.RowCheck, string>(c => "", s => null!)
            : null;
        return converter is null
            ? null
            : (RelationalTypeMapping)new StringTypeMapping(mappingInfo.StoreTypeName ?? "text", DbType.String, unicode: true).WithComposedConverter(converter);
    }
}
