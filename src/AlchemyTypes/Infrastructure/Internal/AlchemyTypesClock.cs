using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>The clock a context's AlchemyTypes work reads: the <c>UseTimeProvider</c> of its options, else the system clock.</summary>
internal static class AlchemyTypesClock
{
    public static DateTime UtcNow(DbContext context)
        => (context.GetService<IDbContextOptions>().FindExtension<AlchemyTypesOptionsExtension>()?.TimeProvider ?? TimeProvider.System)
            .GetUtcNow().UtcDateTime;
}
