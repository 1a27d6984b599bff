using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Passwords.Internal;

/// <summary>
/// Before EF Core saves: hashes every pending <see cref="PasswordHash"/> of an added or modified entity (asynchronously in
/// <c>SaveChangesAsync</c>), so the plaintext never reaches the database and a refused password fails the save before any
/// file is uploaded.
/// </summary>
internal sealed class PasswordSaveStep : ISaveChangesStep
{
    public int Order => SaveChangesStepOrder.Passwords;

    public async ValueTask SavingChangesAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            var passwords = entry.Metadata.GetOrAddRuntimeAnnotationValue(
                AlchemyTypesAnnotationNames.PasswordPropertiesCache, static t => PasswordProperties(t!), entry.Metadata);
            foreach (var (property, registry) in passwords)
            {
                var propertyEntry = entry.Property(property);
                if ((entry.State == EntityState.Added || propertyEntry.IsModified) && propertyEntry.CurrentValue is PasswordHash hash)
                {
                    if (async)
                    {
                        await hash.CompleteAsync(registry, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        hash.Complete(registry);
                    }
                }
            }
        }
    }

    public ValueTask SavedChangesAsync(DbContext context, bool async, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SaveChangesFailedAsync(DbContext context, bool async) => ValueTask.CompletedTask;

    private static (IProperty Property, PasswordHasherRegistry Registry)[] PasswordProperties(IEntityType entityType)
        => entityType.GetProperties()
            .Where(p => p.GetValueConverter() is PasswordHashConverter { Registry: not null })
            .Select(p => (p, ((PasswordHashConverter)p.GetValueConverter()!).Registry!))
            .ToArray();
}
