using AlchemyTypes.Encryption;
using AlchemyTypes.Infrastructure;
using AlchemyTypes.Passwords;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore.Infrastructure;
using AlchemyTypes.Passwords.Internal;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>The model-shaping AlchemyTypes options, read by EF Core's singleton and model-building services.</summary>
internal sealed class AlchemyTypesSingletonOptions : ISingletonOptions
{
    public bool UtcDateTimeEnforcement { get; private set; } = true;

    public EncryptionKeyRing? EncryptionKeyRing { get; private set; }

    public PasswordHasherRegistry? PasswordHashers { get; private set; }
    /// <summary>The storage backends FileObject values are connected to; null when none is configured.</summary>
    public StorageRegistry? StorageRegistry { get; private set; }

    public void Initialize(IDbContextOptions options)
    {
        var extension = options.FindExtension<AlchemyTypesOptionsExtension>() ?? new AlchemyTypesOptionsExtension();
        UtcDateTimeEnforcement = extension.UtcDateTimeEnforcement;
        EncryptionKeyRing = extension.EncryptionKeyRing;
        PasswordHashers = extension.PasswordHashers.Count == 0
            ? null
            : new PasswordHasherRegistry(extension.PasswordHashers.ToArray(), extension.PasswordHashers[Math.Max(extension.NewPasswordHasherIndex, 0)]);
        StorageRegistry = extension.BuildStorageRegistry();
    }

    public void Validate(IDbContextOptions options)
    {
        // The options extension's ShouldUseSameServiceProvider already separates differently configured contexts.
    }
}
