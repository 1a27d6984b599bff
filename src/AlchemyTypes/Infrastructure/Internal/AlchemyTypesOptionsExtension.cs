using System.Globalization;
using System.Runtime.CompilerServices;
using AlchemyTypes.Encryption;
using AlchemyTypes.Passwords;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Passwords.Internal;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>
/// The immutable options of AlchemyTypes on one <c>DbContextOptions</c>. Each <c>With…</c> method returns a changed copy.
/// Only options that shape the model (UTC enforcement) take part in EF Core's service-provider cache key, so two contexts
/// configured differently never share a model. Per-context objects (the clock, the audit user accessor) are read from the
/// context's own options when it saves, so passing a new instance per context costs nothing.
/// </summary>
internal sealed class AlchemyTypesOptionsExtension : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? _info;

    public AlchemyTypesOptionsExtension()
    {
    }

    private AlchemyTypesOptionsExtension(AlchemyTypesOptionsExtension copyFrom)
    {
        UtcDateTimeEnforcement = copyFrom.UtcDateTimeEnforcement;
        TimeProvider = copyFrom.TimeProvider;
        AuditUserAccessor = copyFrom.AuditUserAccessor;
        EncryptionKeyRing = copyFrom.EncryptionKeyRing;
        PasswordHashers = copyFrom.PasswordHashers;
        NewPasswordHasherIndex = copyFrom.NewPasswordHasherIndex;
        StorageBackends = copyFrom.StorageBackends;
        DefaultStorageName = copyFrom.DefaultStorageName;
        StorageRegistry = copyFrom.StorageRegistry;
        DirectUploads = copyFrom.DirectUploads;
    }

    public bool UtcDateTimeEnforcement { get; private init; } = true;

    public TimeProvider TimeProvider { get; private init; } = TimeProvider.System;

    public IAuditUserAccessor? AuditUserAccessor { get; private init; }

    /// <summary>Shapes the model (baked into encrypted-string converters): part of the service-provider key, by reference.</summary>
    public EncryptionKeyRing? EncryptionKeyRing { get; private init; }

    /// <summary>Shapes the model (baked into PasswordHash converters): part of the service-provider key, by <see cref="object.Equals(object)"/>.</summary>
    public IReadOnlyList<IPasswordHasher> PasswordHashers { get; private init; } = [];

    /// <summary>The index in <see cref="PasswordHashers"/> of the hasher for new hashes; -1 when none was chosen (the first one is used).</summary>
    public int NewPasswordHasherIndex { get; private init; } = -1;
    /// <summary>Backends added one by one with AddStorage, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, IStorageBackend>> StorageBackends { get; private init; } = [];

    public string? DefaultStorageName { get; private init; }

    /// <summary>A registry passed whole with UseStorageRegistry (from dependency injection, say).</summary>
    public StorageRegistry? StorageRegistry { get; private init; }

    /// <summary>Direct uploads' signing secret and expiry; null when not configured. Read per context, not part of the model.</summary>
    public DirectUploadOptions? DirectUploads { get; private init; }

    public bool HasStorage => StorageRegistry is not null || StorageBackends.Count > 0;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public AlchemyTypesOptionsExtension WithStorage(string name, IStorageBackend backend)
        => new(this) { StorageBackends = [.. StorageBackends.Where(b => b.Key != name), new(name, backend)] };

    public AlchemyTypesOptionsExtension WithDefaultStorage(string name)
        => new(this) { DefaultStorageName = name };

    public AlchemyTypesOptionsExtension WithDirectUploads(DirectUploadOptions options)
        => new(this) { DirectUploads = options };

    public AlchemyTypesOptionsExtension WithStorageRegistry(StorageRegistry registry)
        => new(this) { StorageRegistry = registry };

    /// <summary>The registry these options describe, or null without storage.</summary>
    public StorageRegistry? BuildStorageRegistry()
    {
        if (StorageRegistry is not null)
        {
            return StorageRegistry;
        }

        return StorageBackends.Count == 0 ? null : new StorageRegistry(StorageBackends, DefaultStorageName);
    }

    public AlchemyTypesOptionsExtension WithUtcDateTimeEnforcement(bool enabled)
        => new(this) { UtcDateTimeEnforcement = enabled };

    public AlchemyTypesOptionsExtension WithTimeProvider(TimeProvider timeProvider)
        => new(this) { TimeProvider = timeProvider };

    public AlchemyTypesOptionsExtension WithAuditUserAccessor(IAuditUserAccessor? accessor)
        => new(this) { AuditUserAccessor = accessor };

    public AlchemyTypesOptionsExtension WithEncryptionKeyRing(EncryptionKeyRing keyRing)
        => new(this) { EncryptionKeyRing = keyRing };

    public AlchemyTypesOptionsExtension WithPasswordHasher(IPasswordHasher hasher, bool useForNewHashes)
    {
        var hashers = PasswordHashers.ToList();
        var index = hashers.FindIndex(h => h.Equals(hasher));
        if (index < 0)
        {
            hashers.Add(hasher);
            index = hashers.Count - 1;
        }

        return new(this) { PasswordHashers = hashers, NewPasswordHasherIndex = useForNewHashes ? index : NewPasswordHasherIndex };
    }

    public void ApplyServices(IServiceCollection services) => services.AddEntityFrameworkAlchemyTypes();

    /// <summary>
    /// Checks the options as a whole when EF Core builds the context's services (as EF Core's own extensions do), so a
    /// misconfiguration fails at the first use of the context with a message saying what to change, not at the first upload.
    /// </summary>
    public void Validate(IDbContextOptions options)
    {
        if (DefaultStorageName is { } name && StorageRegistry is null && StorageBackends.All(b => b.Key != name))
        {
            throw new AlchemyTypesConfigurationException(
                StorageBackends.Count == 0
                    ? $"UseDefaultStorage(\"{name}\") names a backend, but none was added: call AddStorage(\"{name}\", backend) as well."
                    : $"UseDefaultStorage(\"{name}\") names no added backend (added: {string.Join(", ", StorageBackends.Select(b => b.Key))}).");
        }

        if (NewPasswordHasherIndex >= PasswordHashers.Count)
        {
            throw new AlchemyTypesConfigurationException("The password hasher chosen for new hashes is not among the added hashers: add it "
                + "with AddPasswordHasher.");
        }
    }

    private sealed class ExtensionInfo(AlchemyTypesOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        private new AlchemyTypesOptionsExtension Extension => (AlchemyTypesOptionsExtension)base.Extension;

        public override bool IsDatabaseProvider => false;

        public override string LogFragment
            => Extension.UtcDateTimeEnforcement ? "using AlchemyTypes " : "using AlchemyTypes (no UTC enforcement) ";

        public override int GetServiceProviderHashCode()
        {
            // Storage backends are captured by the FileObject converters, which live in the cached model: they are part
            // of the key, by identity. Register them once (singletons) and reuse them for every context.
            var hash = new HashCode();
            hash.Add(Extension.UtcDateTimeEnforcement);
            hash.Add(Extension.DefaultStorageName);
            hash.Add(Extension.StorageRegistry);
            foreach (var (name, backend) in Extension.StorageBackends)
            {
                hash.Add(name);
                hash.Add(backend);
            }

            hash.Add(SecretsHashCode());
            return hash.ToHashCode();
        }

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other)
            => other is ExtensionInfo otherInfo
                && Extension.UtcDateTimeEnforcement == otherInfo.Extension.UtcDateTimeEnforcement
                && Extension.DefaultStorageName == otherInfo.Extension.DefaultStorageName
                && ReferenceEquals(Extension.StorageRegistry, otherInfo.Extension.StorageRegistry)
                && Extension.StorageBackends.Count == otherInfo.Extension.StorageBackends.Count
                && Extension.StorageBackends.Zip(otherInfo.Extension.StorageBackends).All(p => p.First.Key == p.Second.Key
                    && ReferenceEquals(p.First.Value, p.Second.Value))
                && SameSecrets(otherInfo.Extension);

        // The key ring and the password hashers are baked into converters, which live in the cached model: contexts with
        // a different ring (by reference) or differently configured hashers (by Equals) must not share a service provider.
        private int SecretsHashCode()
        {
            var hash = new HashCode();
            hash.Add(Extension.EncryptionKeyRing is null ? 0 : RuntimeHelpers.GetHashCode(Extension.EncryptionKeyRing));
            foreach (var hasher in Extension.PasswordHashers)
            {
                hash.Add(hasher);
            }

            hash.Add(Extension.NewPasswordHasherIndex);
            return hash.ToHashCode();
        }

        private bool SameSecrets(AlchemyTypesOptionsExtension other)
            => ReferenceEquals(Extension.EncryptionKeyRing, other.EncryptionKeyRing)
                && Extension.NewPasswordHasherIndex == other.NewPasswordHasherIndex
                && Extension.PasswordHashers.SequenceEqual(other.PasswordHashers);

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
            debugInfo["AlchemyTypes:UtcDateTimeEnforcement"] = Extension.UtcDateTimeEnforcement.ToString(CultureInfo.InvariantCulture);
            debugInfo["AlchemyTypes:AuditUserAccessor"] = Extension.AuditUserAccessor?.GetType().FullName ?? "(none)";
            debugInfo["AlchemyTypes:EncryptionKeyRing"] = Extension.EncryptionKeyRing is null ? "(none)" : "configured";
            debugInfo["AlchemyTypes:PasswordHashers"] = string.Join(",", Extension.PasswordHashers.Select(h => h.Algorithm));
            debugInfo["AlchemyTypes:Storage"] = string.Join(",", Extension.StorageBackends.Select(b => b.Key));
        }
    }
}
