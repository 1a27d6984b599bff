using AlchemyTypes.Passwords;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Internal;

/// <summary>
/// Makes EF Core discover <see cref="PasswordHash"/> properties as string columns by convention. The converter offered
/// here is replaced per property by <see cref="SecretsConvention"/> (so errors name the entity and the property).
/// </summary>
internal sealed class PasswordHashConverterSource(AlchemyTypesSingletonOptions options) : IAlchemyValueConverterSource
{
    public IEnumerable<ValueConverterInfo> Select(Type modelClrType, Type? providerClrType)
    {
        if (modelClrType == typeof(PasswordHash) && (providerClrType is null || providerClrType == typeof(string)))
        {
            yield return new ValueConverterInfo(typeof(PasswordHash), typeof(string), _ => new PasswordHashConverter(options.PasswordHashers));
        }
    }
}
