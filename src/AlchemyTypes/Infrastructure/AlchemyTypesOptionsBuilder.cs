using AlchemyTypes.Encryption;
using AlchemyTypes.Infrastructure;
using AlchemyTypes.Passwords;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using AlchemyTypes.Infrastructure.Internal;

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

    /// <summary>
    /// Sets the keys of encrypted string properties (<see cref="EncryptedAttribute"/>, <c>.IsEncrypted()</c>). Create the
    /// ring once and reuse it (a singleton): each distinct ring instance gets its own EF Core service provider and model.
    /// </summary>
    /// <param name="keyRing">The key ring, holding at least one key before the first encrypted value is written.</param>
    /// <returns>This builder.</returns>
    public AlchemyTypesOptionsBuilder UseEncryption(EncryptionKeyRing keyRing)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        return WithOption(e => e.WithEncryptionKeyRing(keyRing));
    }

    /// <summary>
    /// Registers a password hasher for <see cref="PasswordHash"/> properties. Hashes of every registered algorithm verify;
    /// new hashes use the last hasher registered with <paramref name="useForNewHashes"/>, or the first one registered.
    /// Provider packages call this from <c>UseArgon2()</c> and <c>UseBCrypt()</c>. Hashers equal by
    /// <see cref="object.Equals(object)"/> are registered once.
    /// </summary>
    /// <param name="hasher">The hasher.</param>
    /// <param name="useForNewHashes">Whether new passwords are hashed with it.</param>
    /// <returns>This builder.</returns>
    public AlchemyTypesOptionsBuilder AddPasswordHasher(IPasswordHasher hasher, bool useForNewHashes = false)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        return WithOption(e => e.WithPasswordHasher(hasher, useForNewHashes));
    }

    /// <summary>
    /// Registers a storage backend under <paramref name="name"/>. The first one registered is the default unless
    /// <see cref="UseDefaultStorage"/> says otherwise; registering a name again replaces its backend. Create each backend once and reuse it
    /// for every context: backends are
    /// part of EF Core's model cache key.
    /// </summary>
    /// <param name="name">1–64 letters, digits, '-', '_' or '.'; FileObject properties and values refer to it.</param>
    /// <param name="backend">The backend.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="AlchemyTypesConfigurationException">The name is not valid.</exception>
    public AlchemyTypesOptionsBuilder AddStorage(string name, IStorageBackend backend)
    {
        StorageRegistry.ValidateName(name);
        ArgumentNullException.ThrowIfNull(backend);
        return WithOption(e => e.WithStorage(name, backend));
    }

    /// <summary>Makes the backend called <paramref name="name"/> the default.</summary>
    /// <param name="name">A name given to <see cref="AddStorage"/>.</param>
    /// <returns>This builder.</returns>
    public AlchemyTypesOptionsBuilder UseDefaultStorage(string name)
    {
        StorageRegistry.ValidateName(name);
        return WithOption(e => e.WithDefaultStorage(name));
    }

    /// <summary>
    /// Uses a whole registry built elsewhere, typically the singleton that dependency injection holds:
    /// <c>services.AddDbContext&lt;T&gt;((sp, o) =&gt; o.UseNpgsql(…).AddAlchemyTypes(a =&gt;
    /// a.UseStorageRegistry(sp.GetRequiredService&lt;StorageRegistry&gt;())))</c>.
    /// Backends added with <see cref="AddStorage"/> are then ignored.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>This builder.</returns>
    public AlchemyTypesOptionsBuilder UseStorageRegistry(StorageRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return WithOption(e => e.WithStorageRegistry(registry));
    }

    /// <summary>
    /// Turns direct uploads on: browsers upload straight to storage through a short-lived URL and the app attaches the result
    /// with a signed token (<c>context.CreateDirectUploadAsync</c>, <c>context.AttachDirectUploadAsync</c>).
    /// </summary>
    /// <param name="options">The signing secret (at least 32 bytes) and how long targets live.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="AlchemyTypesConfigurationException">The options are not valid.</exception>
    public AlchemyTypesOptionsBuilder UseDirectUploads(DirectUploadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var copy = new DirectUploadOptions { SigningKey = [.. options.SigningKey], ExpiresIn = options.ExpiresIn };
        return WithOption(e => e.WithDirectUploads(copy));
    }

    internal AlchemyTypesOptionsBuilder WithOption(Func<AlchemyTypesOptionsExtension, AlchemyTypesOptionsExtension> change)
    {
        var extension = OptionsBuilder.Options.FindExtension<AlchemyTypesOptionsExtension>() ?? new AlchemyTypesOptionsExtension();
        ((IDbContextOptionsBuilderInfrastructure)OptionsBuilder).AddOrUpdateExtension(change(extension));
        return this;
    }
}
