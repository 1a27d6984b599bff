using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.Auditing.Internal;

/// <summary>
/// Stamps <see cref="IAuditable"/> entities: created and updated times from the configured <see cref="TimeProvider"/>, users
/// from the <see cref="IAuditUserAccessor"/>. <c>CreatedAt</c>/<c>CreatedBy</c> are never rewritten by an update.
/// </summary>
internal sealed class AuditingSaveStep(IDbContextOptions options) : ISaveChangesStep
{
    private readonly AlchemyTypesOptionsExtension _extension =
        options.FindExtension<AlchemyTypesOptionsExtension>() ?? new AlchemyTypesOptionsExtension();

    public int Order => SaveChangesStepOrder.Auditing;

    public ValueTask SavingChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        DateTime? now = null;
        string? user = null;
        var userResolved = false;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified) || entry.Entity is not IAuditable auditable)
            {
                continue;
            }

            now ??= _extension.TimeProvider.GetUtcNow().UtcDateTime;
            if (!userResolved)
            {
                user = (_extension.AuditUserAccessor ?? ResolveAuditUser())?.GetCurrentUser();
                userResolved = true;
            }

            Stamp(entry, auditable, now.Value, user);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SavedChangesAsync(DbContext context, bool async, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SaveChangesFailedAsync(DbContext context, bool async) => ValueTask.CompletedTask;

    private static void Stamp(EntityEntry entry, IAuditable entity, DateTime now, string? user)
    {
        if (entry.State == EntityState.Added)
        {
            entity.CreatedAt = now;
            entity.CreatedBy = user;
        }
        else
        {
            // CreatedAt/CreatedBy are never rewritten by an update, whatever the code did to them.
            foreach (var name in new[] { nameof(IAuditable.CreatedAt), nameof(IAuditable.CreatedBy) })
            {
                var property = entry.Property(name);
                property.CurrentValue = property.OriginalValue;
                property.IsModified = false;
            }
        }

        entity.UpdatedAt = now;
        entity.UpdatedBy = user;
        entry.DetectChanges();
    }

    private IAuditUserAccessor? ResolveAuditUser()
        => options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<IAuditUserAccessor>();
}
