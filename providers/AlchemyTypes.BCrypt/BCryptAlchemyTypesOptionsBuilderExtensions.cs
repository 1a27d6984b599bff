using AlchemyTypes;
using AlchemyTypes.BCrypt;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Registers BCrypt password hashing on <c>AddAlchemyTypes(a =&gt; a.UseBCrypt())</c>.</summary>
public static class BCryptAlchemyTypesOptionsBuilderExtensions
{
    /// <summary>
    /// Registers a BCrypt hasher for <c>PasswordHash</c> properties (cost 12 unless configured). The first hasher
    /// registered hashes new passwords unless another one passes <paramref name="useForNewHashes"/>; register BCrypt after
    /// Argon2 to keep verifying (and upgrading) legacy BCrypt hashes.
    /// </summary>
    /// <param name="builder">The AlchemyTypes options builder.</param>
    /// <param name="configure">Changes the parameters; optional.</param>
    /// <param name="useForNewHashes">Whether new passwords are hashed with BCrypt even if another hasher was registered first.</param>
    /// <returns>The same builder.</returns>
    public static AlchemyTypesOptionsBuilder UseBCrypt(this AlchemyTypesOptionsBuilder builder, Action<BCryptOptions>? configure = null,
        bool useForNewHashes = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new BCryptOptions();
        configure?.Invoke(options);
        return builder.AddPasswordHasher(new BCryptPasswordHasher(options), useForNewHashes);
    }
}
