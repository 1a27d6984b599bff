using Xunit.Sdk;

namespace AlchemyTypes.Testing;

/// <summary>
/// Names the promises of README.md / SECURITY.md (ids such as <c>P-FILE-03</c>, written <c>[P-FILE-03]</c> in the
/// documents) that the test proves. Each id becomes an xunit trait <c>Promise=P-FILE-03</c>, so
/// <c>dotnet test --filter Promise=P-FILE-03</c> runs the tests of one promise. The register check
/// (AlchemyTypes.Tests/Docs/PromiseRegisterTests) fails when a documented id has no test or a test names an unknown id.
/// </summary>
[TraitDiscoverer("AlchemyTypes.Testing.PromiseTraitDiscoverer", "AlchemyTypes.Testing")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class PromiseAttribute : Attribute, ITraitAttribute
{
    /// <summary>Names one or more promise ids proved by the test.</summary>
    public PromiseAttribute(params string[] ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        Ids = ids;
    }

    /// <summary>The promise ids, e.g. <c>P-FILE-03</c>.</summary>
    public IReadOnlyList<string> Ids { get; }
}
