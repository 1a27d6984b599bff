using AlchemyTypes.Entities;
using AlchemyTypes.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AlchemyTypes;

/// <summary>
/// Configures AlchemyTypes on a <see cref="DbContextOptionsBuilder"/>. Obtained from
/// <c>optionsBuilder.AddAlchemyTypes(alchemy => …)</c>; provider packages (storage backends, password hashers) add
/// their own methods to it as extension methods.
/// </summary>
public sealed class AlchemyTypesOptionsBuilder
{
    internal AlchemyTypesOptionsBuilder(DbContextOptionsBuilder optionsBuilder)
    {
        OptionsBuilder = optionsBuilder;
    }

    /// <summary>The EF Core options builder being configured.</summary>
    public DbContextOptionsBuilder OptionsBuilder { get; }

    /// <summary>
    /// Turns the UTC convention for <see cref="DateTime"/> properties on (the default) or off for the whole model.
    /// Single properties opt out with <see cref="NoUtcEnforcementAttribute"/> or <c>.HasUtcEnforcement(false)</c>.
    /// </summary>
    /// <param name="enabled">Whether every <see cref="DateTime"/> property is UTC-enforced.</param>
    /// <returns>This builder.</returns>
    public AlchemyTypesOptionsBuilder EnforceUtcDateTimes(bool enabled = true)
        => WithOption(e => e.WithUtcDateTimeEnforcement(enabled));

    /// <summary>Sets the clock used for audit timestamps and generated keys (the system clock unless set; tests pass a fake one).</summary>
    /// <param name="timeProvider">The clock. Register one instance and reuse it: each distinct instance gets its own EF Core service provider.</param>
    /// <returns>This builder.</returns>
    public AlchemyTypesOptionsBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return WithOption(e => e.WithTimeProvider(timeProvider));
    }

    /// <summary>
    /// Sets where <see cref="IAuditable.CreatedBy"/> and <see cref="IAuditable.UpdatedBy"/> come from. Without it, an
    /// <see cref="IAuditUserAccessor"/> registered in the application's service provider is used, if any.
    /// </summary>
    /// <param name="accessor">The accessor. Register one instance and reuse it.</param>
    /// <returns>This builder.</returns>
    public AlchemyTypesOptionsBuilder UseAuditUser(IAuditUserAccessor accessor)
    {
        ArgumentNullException.ThrowIfNull(accessor);
        return WithOption(e => e.WithAuditUserAccessor(accessor));
    }

    internal AlchemyTypesOptionsBuilder WithOption(Func<AlchemyTypesOptionsExtension, AlchemyTypesOptionsExtension> change)
    {
        var extension = OptionsBuilder.Options.FindExtension<AlchemyTypesOptionsExtension>() ?? new AlchemyTypesOptionsExtension();
        ((IDbContextOptionsBuilderInfrastructure)OptionsBuilder).AddOrUpdateExtension(change(extension));
        return this;
    }
}
