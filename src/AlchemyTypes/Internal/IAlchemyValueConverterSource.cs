using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Internal;

/// <summary>
/// Offers value converters for a CLR type AlchemyTypes owns (FileObject, PasswordHash…). Registered as a singleton in
/// EF Core's internal service provider, any number of times; <see cref="AlchemyTypesValueConverterSelector"/> asks each.
/// </summary>
internal interface IAlchemyValueConverterSource
{
    IEnumerable<ValueConverterInfo> Select(Type modelClrType, Type? providerClrType);
}
