using AlchemyTypes.Infrastructure;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AlchemyTypes.Internal;

/// <summary>The model-shaping AlchemyTypes options, read by EF Core's singleton and model-building services.</summary>
internal sealed class AlchemyTypesSingletonOptions : ISingletonOptions
{
    public bool UtcDateTimeEnforcement { get; private set; } = true;

    public void Initialize(IDbContextOptions options)
    {
        var extension = options.FindExtension<AlchemyTypesOptionsExtension>() ?? new AlchemyTypesOptionsExtension();
        UtcDateTimeEnforcement = extension.UtcDateTimeEnforcement;
    }

    public void Validate(IDbContextOptions options)
    {
        // The options extension's ShouldUseSameServiceProvider already separates differently configured contexts.
    }
}
