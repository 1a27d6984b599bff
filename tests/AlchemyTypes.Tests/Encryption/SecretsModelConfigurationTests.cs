using AlchemyTypes.Encryption;
using AlchemyTypes.Passwords;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.Tests.Encryption;

/// <summary>Model-building rules of encrypted strings and password hashes (SQLite in memory; no data is written).</summary>
public sealed class SecretsModelConfigurationTests
{
    private static readonly EncryptionKeyRing Ring = new EncryptionKeyRing().Add("k1",
        EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(EncryptionKeyRing.GenerateKey());

    public sealed class Member
    {
        public int Id { get; set; }

        [Encrypted(BlindIndex = true)]
        public string Email { get; set; } = "";

        public PasswordHash? Password { get; set; }
    }

    public sealed class BadMember
    {
        public int Id { get; set; }

        [Encrypted]
        public int Number { get; set; }
    }

    private sealed class Context<T>(DbContextOptions options) : DbContext(options)
        where T : class
    {
        public DbSet<T> Items => Set<T>();
    }

    private static Context<T> Create<T>(Action<AlchemyTypesOptionsBuilder> configure)
        where T : class
        => new(new DbContextOptionsBuilder().UseSqlite("DataSource=:memory:").AddAlchemyTypes(configure)
            .ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning)).Options); // sharing is asserted with Assert.Same

    [Fact]
    public void Encrypted_property_without_a_key_ring_is_a_configuration_error()
    {
        using var context = Create<Member>(a => a.UseArgon2());
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => context.Model);
        Assert.Contains("UseEncryption", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordHash_property_without_a_hasher_is_a_configuration_error()
    {
        using var context = Create<Member>(a => a.UseEncryption(Ring));
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => context.Model);
        Assert.Contains("UseArgon2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_attribute_on_a_non_string_is_a_configuration_error()
    {
        using var context = Create<BadMember>(a => a.UseEncryption(Ring));
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => context.Model);
        Assert.Contains("BadMember.Number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blind_index_without_a_blind_index_key_is_a_configuration_error()
    {
        var ring = new EncryptionKeyRing().Add("k1", EncryptionKeyRing.GenerateKey());
        using var context = Create<Member>(a => a.UseEncryption(ring).UseBCrypt());
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => context.Model);
        Assert.Contains("SetBlindIndexKey", error.Message, StringComparison.Ordinal);
    }

    [Promise("P-ENC-07")]
    [Fact]
    public void Blind_index_adds_an_indexed_shadow_column_and_PasswordHash_is_a_string_column()
    {
        using var context = Create<Member>(a => a.UseEncryption(Ring).UseArgon2());
        var entityType = context.Model.FindEntityType(typeof(Member))!;
        var shadow = entityType.FindProperty("EmailBlindIndex")!;
        Assert.True(shadow.IsShadowProperty());
        Assert.Equal(44, shadow.GetMaxLength());
        Assert.Contains(entityType.GetIndexes(), i => i.Properties.Single() == shadow);
        Assert.Equal(typeof(string), entityType.FindProperty(nameof(Member.Password))!.GetTypeMapping().Converter!.ProviderClrType);
    }

    [Promise("P-PWD-06")]
    [Fact]
    public void New_hasher_instances_with_equal_settings_reuse_one_EF_service_provider()
    {
        // EF Core fails after 20 internal service providers; configuring per context, as AddDbContext does, must not create one each time.
        using var first = Create<Member>(a => a.UseEncryption(Ring).UseArgon2(o => o.Iterations = 3).UseBCrypt());
        for (var i = 0; i < 40; i++)
        {
            using var context = Create<Member>(a => a.UseEncryption(Ring).UseArgon2(o => o.Iterations = 3).UseBCrypt());
            Assert.Same(first.Model, context.Model);
        }

        // Different settings are a different configuration: the test above would notice a hasher that is always equal.
        using var other = Create<Member>(a => a.UseEncryption(Ring).UseArgon2(o => o.Iterations = 4).UseBCrypt());
        Assert.NotSame(first.Model, other.Model);
    }
}
