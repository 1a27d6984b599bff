using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.DateTimes.Internal;

/// <summary>
/// Refuses a save that writes a <see cref="DateTimeKind.Unspecified"/> value to a UTC-enforced property, with
/// <see cref="UnspecifiedDateTimeKindException"/> itself (not wrapped in EF Core's <see cref="DbUpdateException"/>) and before any
/// command is sent.
/// </summary>
internal sealed class UtcDateTimeSaveStep : ISaveChangesStep
{
    public int Order => SaveChangesStepOrder.UtcDateTimes;

    public ValueTask SavingChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            var properties = entry.Metadata.GetOrAddRuntimeAnnotationValue(
                AlchemyTypesAnnotationNames.UtcPropertiesCache,
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

        return ValueTask.CompletedTask;
    }

    public ValueTask SavedChangesAsync(DbContext context, bool async, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SaveChangesFailedAsync(DbContext context, bool async) => ValueTask.CompletedTask;
}
