using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Internal;

/// <summary>
/// EF Core's converter selector, extended with the converters of the types AlchemyTypes owns. EF Core consults the
/// selector when a CLR type has no direct store mapping; finding a converter there is what makes EF Core discover a
/// <c>FileObject</c> or <c>PasswordHash</c> property as a scalar column by convention, with no per-property configuration.
/// </summary>
internal sealed class AlchemyTypesValueConverterSelector(
    ValueConverterSelectorDependencies dependencies,
    IEnumerable<IAlchemyValueConverterSource> sources) : ValueConverterSelector(dependencies)
{
    private readonly IAlchemyValueConverterSource[] _sources = sources.ToArray();

    public override IEnumerable<ValueConverterInfo> Select(Type modelClrType, Type? providerClrType = null)
    {
        foreach (var source in _sources)
        {
            foreach (var converter in source.Select(modelClrType, providerClrType))
            {
                yield return converter;
            }
        }

        foreach (var converter in base.Select(modelClrType, providerClrType))
        {
            yield return converter;
        }
    }
}
