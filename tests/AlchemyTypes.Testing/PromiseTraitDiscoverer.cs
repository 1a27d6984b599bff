using Xunit.Abstractions;
using Xunit.Sdk;

namespace AlchemyTypes.Testing;

/// <summary>Turns <see cref="PromiseAttribute"/> into one <c>Promise</c> trait per id.</summary>
public sealed class PromiseTraitDiscoverer : ITraitDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        ArgumentNullException.ThrowIfNull(traitAttribute);
        var ids = traitAttribute.GetConstructorArguments().FirstOrDefault() switch
        {
            IEnumerable<object> many => many.Select(o => o?.ToString() ?? ""),
            string one => [one],
            _ => [],
        };
        return ids.Select(id => new KeyValuePair<string, string>("Promise", id)).ToList();
    }
}
