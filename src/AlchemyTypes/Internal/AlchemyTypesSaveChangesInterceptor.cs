using AlchemyTypes.DateTimes;
using AlchemyTypes.Entities;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.Internal;

/// <summary>
/// Runs around EF Core's SaveChanges, once per context (scoped): stamps <see cref="IAuditable"/> entities, checks
/// UTC-enforced <see cref="DateTime"/> values (so that a naive value fails with <see cref="UnspecifiedDateTimeKindException"/>
/// itself rather than wrapped in EF Core's <see cref="DbUpdateException"/>, before any command is sent), prepares secrets
/// (password hashing, encrypted lengths, blind indexes) and drives the FileObject lifecycle (uploads before the commit,
/// deletes after it, clean-up when the save fails) — all after one change detection.
/// </summary>
internal sealed class AlchemyTypesSaveChangesInterceptor(IDbContextOptions options, FileLifecycle files) : ISaveChangesInterceptor
{
    private const string UtcPropertiesAnnotation = AlchemyTypesAnnotationNames.Prefix + "UtcProperties";

    private readonly AlchemyTypesOptionsExtension _extension =
        options.FindExtension<AlchemyTypesOptionsExtension>() ?? new AlchemyTypesOptionsExtension();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            var autoDetect = BeforeSave(context);
            try
            {
                SecretsPreparation.Prepare(context);
                files.BeforeSaveAsync(context, async: false, CancellationToken.None).GetAwaiter().GetResult();
            }
            finally
            {
                context.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            }
        }

        return result;
    }

    public async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            var autoDetect = BeforeSave(context);
            try
            {
                // Secrets first: a refused password or an over-long value fails the save before any file is uploaded.
                await SecretsPreparation.PrepareAsync(context, cancellationToken).ConfigureAwait(false);
                await files.BeforeSaveAsync(context, async: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                context.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            }
        }

        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            files.AfterSaveAsync(context, async: false).GetAwaiter().GetResult();
        }

        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await files.AfterSaveAsync(context, async: true).ConfigureAwait(false);
        }

        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            files.SaveFailedAsync(context, async: false).GetAwaiter().GetResult();
        }
    }

    public async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await files.SaveFailedAsync(context, async: true).ConfigureAwait(false);
        }
    }

    public void SaveChangesCanceled(DbContextEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            files.SaveFailedAsync(context, async: false).GetAwaiter().GetResult();
        }
    }

    public async Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await files.SaveFailedAsync(context, async: true).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Detects changes once and turns automatic detection off until the caller restores it (the returned value):
    /// every enumeration of <c>ChangeTracker.Entries()</c> would otherwise detect changes again, and EF Core detects them
    /// once more itself after the interceptors.
    /// </summary>
    private bool BeforeSave(DbContext context)
    {
        var changeTracker = context.ChangeTracker;
        var autoDetect = changeTracker.AutoDetectChangesEnabled;
        if (autoDetect)
        {
            // SaveChanges calls interceptors before it detects changes: detect now, so edits made to tracked entities count.
            changeTracker.DetectChanges();
            changeTracker.AutoDetectChangesEnabled = false;
        }

        DateTime? now = null;
        string? user = null;
        var userResolved = false;
        foreach (var entry in changeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            if (entry.Entity is IAuditable auditable)
            {
                now ??= _extension.TimeProvider.GetUtcNow().UtcDateTime;
                if (!userResolved)
                {
                    user = (_extension.AuditUserAccessor ?? ResolveAuditUser())?.GetCurrentUser();
                    userResolved = true;
                }

                Stamp(entry, auditable, now.Value, user);
            }

            CheckUtc(entry);
        }

        return autoDetect;
    }

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

    private static void CheckUtc(EntityEntry entry)
    {
        var properties = entry.Metadata.GetOrAddRuntimeAnnotationValue(
            UtcPropertiesAnnotation,
            static entityType => entityType!.GetProperties().Where(p => p.GetValueConverter() is UtcDateTimeConverter).ToArray(),
            entry.Metadata);
        foreach (var property in properties)
        {
            var propertyEntry = entry.Property(property);
            if ((entry.State == EntityState.Added || propertyEntry.IsModified)
                && propertyEntry.CurrentValue is DateTime { Kind: DateTimeKind.Unspecified })
            {
                var converter = (UtcDateTimeConverter)property.GetValueConverter()!;
                throw new UnspecifiedDateTimeKindException(converter.EntityType, converter.Property);
            }
        }
    }

    private IAuditUserAccessor? ResolveAuditUser()
        => options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<IAuditUserAccessor>();
}
