using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// The one AlchemyTypes configuration of the encryption and password suites: a key ring per database engine (created
/// once, as an application creates one at startup), Argon2id at OWASP parameters for new hashes, BCrypt (cost 4, to keep
/// the suite quick) and ASP.NET Core Identity's V2/V3 hashes still verifying. The ring and the hashers are part of EF
/// Core's service-provider key, so sharing one configuration keeps the suite to one internal service provider per engine (EF Core fails after 20).
/// </summary>
public static class SecretsConfiguration
{
    private static readonly EncryptionKeyRing SqliteRing = NewRing();
    private static readonly EncryptionKeyRing PostgresRing = NewRing();
    private static readonly EncryptionKeyRing MariaDbRing = NewRing();

    public static EncryptionKeyRing RingFor(ITestStore store) => store switch
    {
        PostgresTestStore => PostgresRing,
        MariaDbTestStore => MariaDbRing,
        _ => SqliteRing,
    };

    public static DbContextOptionsBuilder<TContext> Configure<TContext>(TestDatabase database, ITestStore store)
        where TContext : DbContext
        => Configure<TContext>(database, RingFor(store));

    /// <summary>
    /// The same configuration with a ring of the test's own: a test that changes its ring (adds a key, rotates) uses one
    /// from <see cref="NewRing"/>, never the shared one, so no test depends on another's order.
    /// </summary>
    public static DbContextOptionsBuilder<TContext> Configure<TContext>(TestDatabase database, EncryptionKeyRing ring)
        where TContext : DbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.UseEncryption(ring).UseArgon2().UseBCrypt(o => o.WorkFactor = 4)
            .AddPasswordHasher(new AspNetCoreIdentityPasswordHasher()));
        return builder;
    }

    /// <summary>A fresh ring (key "k1" current, a blind-index key) that only its test uses.</summary>
    public static EncryptionKeyRing NewRing()
        => new EncryptionKeyRing().Add("k1", EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(EncryptionKeyRing.GenerateKey());
}
