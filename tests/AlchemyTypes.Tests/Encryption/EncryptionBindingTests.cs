using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Tests.Encryption;

/// <summary>What an encrypted value and a blind index are bound to (SQLite in memory; no data is written).</summary>
public sealed class EncryptionBindingTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly EncryptionKeyRing Ring = new EncryptionKeyRing().Add("k1", Key).SetBlindIndexKey(Enumerable.Range(50,
        32).Select(i => (byte)i).ToArray());

    public sealed class Person
    {
        public int Id { get; set; }

        [Encrypted(BlindIndex = true)]
        public string Email { get; set; } = "";
    }

    private sealed class Context(DbContextOptions options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
            => modelBuilder.Entity<Person>().ToTable("people", "crm").Property(p => p.Email).HasColumnName("mail");
    }

    [Fact]
    public void The_binding_is_the_final_schema_table_and_column()
    {
        using var context = new Context(new DbContextOptionsBuilder().UseSqlite("DataSource=:memory:").AddAlchemyTypes(a => a.UseEncryption(Ring)).Options);
        var property = context.Model.FindEntityType(typeof(Person))!.FindProperty(nameof(Person.Email))!;
        var converter = Assert.IsType<EncryptedStringConverter>(property.GetValueConverter());
        Assert.Equal("table \"crm\".\"people\", column \"mail\"", converter.Binding.ToString());

        var stored = (string)converter.ConvertToProvider("a@example.com")!;
        Assert.Equal("a@example.com", EncryptedStringCipher.Decrypt(Ring, stored, "Person", "Email", EncryptionBinding.For("crm", "people", "mail")));
        Assert.Throws<EncryptedValueException>(() => EncryptedStringCipher.Decrypt(Ring, stored, "Person", "Email",
            EncryptionBinding.For(null, "people", "mail")));
        Assert.Throws<EncryptedValueException>(() => EncryptedStringCipher.Decrypt(Ring, stored, "Person", "Email",
            EncryptionBinding.For("crm", "people", "Email")));
    }

    [Fact]
    public void Length_prefixes_keep_table_and_column_boundaries_unambiguous()
        => Assert.NotEqual(EncryptionBinding.For(null, "a.b", "c").Bytes, EncryptionBinding.For(null, "a", "b.c").Bytes);

    [Fact]
    public void Blind_index_keys_differ_per_column_and_follow_the_ring_key()
    {
        var master = Ring.Current.BlindIndexKey!;
        var email = EncryptedStringCipher.DeriveBlindIndexKey(master, EncryptionBinding.For(null, "people", "mail"));
        var backup = EncryptedStringCipher.DeriveBlindIndexKey(master, EncryptionBinding.For(null, "people", "backup"));
        Assert.NotEqual(email, backup);
        Assert.NotEqual(master, email);
        Assert.NotEqual(EncryptedStringCipher.ComputeBlindIndex(email, "x"), EncryptedStringCipher.ComputeBlindIndex(backup, "x"));

        var ring = new EncryptionKeyRing().Add("k1", Key).SetBlindIndexKey(master);
        var converter = new BlindIndexConverter(ring, "Person", "Email", EncryptionBinding.For(null, "people", "mail"));
        var before = (string)converter.ConvertToProvider("x")!;
        Assert.Equal(EncryptedStringCipher.ComputeBlindIndex(email, "x"), before);
        ring.SetBlindIndexKey(Enumerable.Range(200, 32).Select(i => (byte)i).ToArray());
        Assert.NotEqual(before, (string)converter.ConvertToProvider("x")!);
    }

    [Fact]
    public void A_ring_that_rejects_unbound_values_refuses_v1_with_a_typed_error()
    {
        var ring = new EncryptionKeyRing().Add("k1", Key);
        var legacy = EncryptedStringCipher.EncryptUnbound(ring, "old");
        var place = EncryptionBinding.For(null, "people", "mail");
        Assert.Equal("old", EncryptedStringCipher.Decrypt(ring, legacy, "Person", "Email", place));

        ring.RejectUnboundValues();
        Assert.True(ring.RejectsUnboundValues);
        var error = Assert.Throws<EncryptedValueException>(() => EncryptedStringCipher.Decrypt(ring, legacy, "Person", "Email", place));
        Assert.Equal(EncryptedValueFailure.Unbound, error.Failure);
        Assert.Equal("Email", error.Property);
        Assert.Equal("new", EncryptedStringCipher.Decrypt(ring, EncryptedStringCipher.Encrypt(ring, "new", place), "Person", "Email", place));
    }
}
