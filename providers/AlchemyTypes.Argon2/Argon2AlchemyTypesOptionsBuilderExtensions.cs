using AlchemyTypes;
using AlchemyTypes.Argon2;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Registers Argon2id password hashing on <c>AddAlchemyTypes(a =&gt; a.UseArgon2())</c>.</summary>
public static class Argon2AlchemyTypesOptionsBuilderExtensions
{
    /// <summary>
    /// Registers an Argon2id hasher for <c>PasswordHash</c> properties (OWASP defaults: m = 19 MiB, t = 2, p = 1).
    /// The first hasher registered hashes new passwords unless another one passes <paramref name="useForNewHashes"/>.
    /// </summary>
    /// <param name="builder">The AlchemyTypes options builder.</param>
    /// <param name="configure">Changes the parameters; optional.</param>
    /// <param name="useForNewHashes">Whether new passwords are hashed with Argon2id even if another hasher was registered first.</param>
    /// <returns>The same builder.</returns>
    public static AlchemyTypesOptionsBuilder UseArgon2(this AlchemyTypesOptionsBuilder builder, Action<Argon2Options>? configure = null,
        bool useForNewHashes = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new Argon2Options();
        configure?.Invoke(options);
#pragma warning disable CA2000 // Equal hashers collapse into the one kept by the EF Core service provider; the gate holds no unmanaged handle.
        return builder.AddPasswordHasher(new Argon2PasswordHasher(options), useForNewHashes);
#pragma warning restore CA2000
    }

    /// <summary>Registers a hasher created by the application (one instance, reused for every context).</summary>
    /// <param name="builder">The AlchemyTypes options builder.</param>
    /// <param name="hasher">The hasher.</param>
    /// <param name="useForNewHashes">Whether new passwords are hashed with it even if another hasher was registered first.</param>
    /// <returns>The same builder.</returns>
    public static AlchemyTypesOptionsBuilder UseArgon2(this AlchemyTypesOptionsBuilder builder, Argon2PasswordHasher hasher, bool useForNewHashes = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(hasher);
        return builder.AddPasswordHasher(hasher, useForNewHashes);
    }
}
