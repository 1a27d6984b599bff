using AlchemyTypes.Encryption;
using AlchemyTypes.Passwords;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Internal;

/// <summary>
/// Run by the save interceptor before EF Core saves: hashes pending <see cref="PasswordHash"/> values (asynchronously in
/// SaveChangesAsync), checks the maximum length of encrypted strings (so the typed exception is not wrapped in
/// <see cref="DbUpdateException"/>) and fills blind-index shadow properties.
/// </summary>
internal static class SecretsPreparation
{
    /// <summary>Prepares the secrets of every added or modified entity; the caller has detected changes already.</summary>
    public static void Prepare(DbContext context)
    {
        foreach (var (entry, secrets) in Entries(context))
        {
            PrepareEncrypted(entry, secrets);
            foreach (var (property, registry) in secrets.Passwords)
            {
                if (PendingValue(entry, property) is { } hash)
                {
                    hash.Complete(registry);
                }
            }
        }
    }

    /// <inheritdoc cref="Prepare" />
    public static async Task PrepareAsync(DbContext context, CancellationToken cancellationToken)
    {
        foreach (var (entry, secrets) in Entries(context))
        {
            PrepareEncrypted(entry, secrets);
            foreach (var (property, registry) in secrets.Passwords)
            {
                if (PendingValue(entry, property) is { } hash)
                {
                    await hash.CompleteAsync(registry, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static List<(EntityEntry Entry, SecretProperties Secrets)> Entries(DbContext context)
    {
        var changeTracker = context.ChangeTracker;
        var found = new List<(EntityEntry, SecretProperties)>();
        foreach (var entry in changeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                var secrets = entry.Metadata.GetOrAddRuntimeAnnotationValue(SecretsAnnotationNames.SecretPropertiesCache, static t => SecretProperties.For(t!), entry.Metadata);
                if (!secrets.IsEmpty)
                {
                    found.Add((entry, secrets));
                }
            }
        }

        return found;
    }

    private static void PrepareEncrypted(EntityEntry entry, SecretProperties secrets)
    {
        foreach (var (property, converter, blindIndex) in secrets.Encrypted)
        {
            var propertyEntry = entry.Property(property);
            if (entry.State != EntityState.Added && !propertyEntry.IsModified)
            {
                continue;
            }

            var value = (string?)propertyEntry.CurrentValue;
            if (value is not null)
            {
                EncryptedStringConverter.CheckLength(value, converter.EntityType, converter.Property, converter.MaxLength);
            }

            if (blindIndex is not null)
            {
                // The shadow property's converter turns the plaintext into its keyed HMAC when the row is written.
                entry.Property(blindIndex).CurrentValue = value;
            }
        }
    }

    private static PasswordHash? PendingValue(EntityEntry entry, IProperty property)
    {
        var propertyEntry = entry.Property(property);
        return (entry.State == EntityState.Added || propertyEntry.IsModified) && propertyEntry.CurrentValue is PasswordHash hash ? hash : null;
    }

    private sealed class SecretProperties
    {
        public required (IProperty Property, EncryptedStringConverter Converter, IProperty? BlindIndex)[] Encrypted { get; init; }

        public required (IProperty Property, PasswordHasherRegistry Registry)[] Passwords { get; init; }

        public bool IsEmpty => Encrypted.Length == 0 && Passwords.Length == 0;

        public static SecretProperties For(IEntityType entityType)
        {
            var properties = entityType.GetProperties().ToArray();
            return new SecretProperties
            {
                Encrypted = properties
                    .Where(p => p.GetValueConverter() is EncryptedStringConverter)
                    .Select(p => (p, (EncryptedStringConverter)p.GetValueConverter()!,
                        p.FindAnnotation(SecretsAnnotationNames.BlindIndexProperty)?.Value is string shadow ? entityType.FindProperty(shadow) : null))
                    .ToArray(),
                Passwords = properties
                    .Where(p => p.GetValueConverter() is PasswordHashConverter { Registry: not null })
                    .Select(p => (p, ((PasswordHashConverter)p.GetValueConverter()!).Registry!))
                    .ToArray(),
            };
        }
    }
}
