using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// The one AlchemyTypes configuration of the encryption and password suites: a key ring per database engine (created
/// once, as an application creates one at startup), Argon2id at OWASP parameters for new hashes, BCrypt (cost 4, to keep
/// the suite quick) still verifying. The ring and the hashers are part of EF Core's service-provider key, so sharing one
/// configuration keeps the suite to one internal service provider per engine (EF Core fails after 20).
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
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.UseEncryption(RingFor(store)).UseArgon2().UseBCrypt(o => o.WorkFactor = 4));
        return builder;
    }

    private static EncryptionKeyRing NewRing()
        => new EncryptionKeyRing().Add("k1", EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(EncryptionKeyRing.GenerateKey());
}
