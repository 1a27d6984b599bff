using System.Text;
using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;

namespace AlchemyTypes.Tests.Encryption;

public sealed class EncryptedStringCipherTests
{
    private static readonly byte[] Key1 = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Key2 = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    private static EncryptionKeyRing Ring() => new EncryptionKeyRing().Add("k1", Key1);

    private static string Decrypt(EncryptionKeyRing ring, string stored) => EncryptedStringCipher.Decrypt(ring, stored, "Customer", "Notes");

    [Theory]
    [InlineData("")]
    [InlineData("alice@example.com")]
    [InlineData("Grüße, 日本語, emoji 🎉, NUL \0 inside")]
    public void Round_trips_any_string(string plaintext)
    {
        var ring = Ring();
        var stored = EncryptedStringCipher.Encrypt(ring, plaintext);
        Assert.Equal(plaintext, Decrypt(ring, stored));
    }

    [Fact]
    public void Stored_value_is_v1_header_then_base64_of_nonce_ciphertext_and_tag()
    {
        var stored = EncryptedStringCipher.Encrypt(Ring(), "héllo");
        Assert.Matches("^v1:k1:[A-Za-z0-9+/]+={0,2}$", stored);
        var payload = Convert.FromBase64String(stored["v1:k1:".Length..]);
        Assert.Equal(12 + Encoding.UTF8.GetByteCount("héllo") + 16, payload.Length);
        Assert.DoesNotContain("héllo", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_plaintext_encrypts_differently_each_time()
    {
        var ring = Ring();
        var values = Enumerable.Range(0, 50).Select(_ => EncryptedStringCipher.Encrypt(ring, "same")).ToHashSet();
        Assert.Equal(50, values.Count);
        var nonces = values.Select(v => Convert.ToBase64String(Convert.FromBase64String(v[6..])[..12])).ToHashSet();
        Assert.Equal(50, nonces.Count);
    }

    [Fact]
    public void Maximum_stored_length_bounds_the_worst_case_plaintext()
    {
        var ring = new EncryptionKeyRing().Add(new string('x', EncryptionKeyRing.MaxKeyIdLength), Key1);
        foreach (var text in new[] { new string('a', 10), new string('€', 10), string.Concat(Enumerable.Repeat("🎉", 5)) })
        {
            Assert.True(EncryptedStringCipher.Encrypt(ring, text).Length <= EncryptedStringCipher.MaxStoredLength(text.Length));
        }
    }

    [Fact]
    public void Concurrent_encryption_and_decryption_with_one_ring_round_trips_every_value()
    {
        var ring = Ring();
        var failures = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var text = $"value {i}";
            if (Decrypt(ring, EncryptedStringCipher.Encrypt(ring, text)) != text)
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Values_written_with_an_old_key_still_decrypt_after_rotation()
    {
        var ring = Ring();
        var old = EncryptedStringCipher.Encrypt(ring, "old secret");
        ring.Add("k2", Key2, makeCurrent: true);
        var fresh = EncryptedStringCipher.Encrypt(ring, "new secret");

        Assert.StartsWith("v1:k2:", fresh, StringComparison.Ordinal);
        Assert.Equal("old secret", Decrypt(ring, old));
        Assert.Equal("new secret", Decrypt(ring, fresh));
        Assert.Equal("k1", EncryptedStringCipher.ReadKeyId(old));
    }

    [Fact]
    public void A_flipped_bit_anywhere_in_the_payload_fails_authentication()
    {
        var ring = Ring();
        var stored = EncryptedStringCipher.Encrypt(ring, "account 12345");
        var payload = Convert.FromBase64String(stored[6..]);
        for (var i = 0; i < payload.Length; i++)
        {
            var tampered = (byte[])payload.Clone();
            tampered[i] ^= 0x01;
            var error = Assert.Throws<EncryptedValueException>(() => Decrypt(ring, "v1:k1:" + Convert.ToBase64String(tampered)));
            Assert.Equal(EncryptedValueFailure.AuthenticationFailed, error.Failure);
        }
    }

    [Fact]
    public void Swapping_the_key_id_in_the_header_fails_authentication()
    {
        var ring = Ring().Add("k2", Key2);
        var stored = EncryptedStringCipher.Encrypt(ring, "secret");
        var error = Assert.Throws<EncryptedValueException>(() => Decrypt(ring, "v1:k2:" + stored[6..]));
        Assert.Equal(EncryptedValueFailure.AuthenticationFailed, error.Failure);
    }

    [Fact]
    public void A_different_key_under_the_same_id_fails_authentication()
    {
        var stored = EncryptedStringCipher.Encrypt(Ring(), "secret");
        var other = new EncryptionKeyRing().Add("k1", Key2);
        var error = Assert.Throws<EncryptedValueException>(() => Decrypt(other, stored));
        Assert.Equal(EncryptedValueFailure.AuthenticationFailed, error.Failure);
        Assert.Equal("k1", error.KeyId);
    }

    public static TheoryData<string, EncryptedValueFailure> Hostile => new()
    {
        { "plain text", EncryptedValueFailure.Malformed },
        { "", EncryptedValueFailure.Malformed },
        { "v1:", EncryptedValueFailure.Malformed },
        { "v1::AAAA", EncryptedValueFailure.Malformed },
        { "v1:" + new string('k', 40) + ":AAAA", EncryptedValueFailure.Malformed },
        { "v2:k1:AAAA", EncryptedValueFailure.UnsupportedVersion },
        { "v1:nope:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", EncryptedValueFailure.UnknownKeyId },
        { "v1:k1:not base64!", EncryptedValueFailure.NotBase64 },
        { "v1:k1:AAA", EncryptedValueFailure.NotBase64 },
        { "v1:k1:", EncryptedValueFailure.Truncated },
        { "v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", EncryptedValueFailure.Truncated },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_values_give_a_typed_error_naming_entity_and_property(string stored, EncryptedValueFailure failure)
    {
        var error = Assert.Throws<EncryptedValueException>(() => Decrypt(Ring(), stored));
        Assert.Equal(failure, error.Failure);
        Assert.Equal("Customer", error.EntityType);
        Assert.Equal("Notes", error.Property);
        Assert.Contains("'Customer.Notes'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_values_never_decrypt()
    {
        var ring = Ring();
        var stored = EncryptedStringCipher.Encrypt(ring, "a secret long enough to be cut in many places");
        for (var length = 0; length < stored.Length; length++)
        {
            Assert.Throws<EncryptedValueException>(() => Decrypt(ring, stored[..length]));
        }
    }

    [Fact]
    public void Blind_index_is_deterministic_keyed_and_not_the_plaintext()
    {
        var ring = Ring().SetBlindIndexKey(Key2);
        var a = EncryptedStringCipher.ComputeBlindIndex(ring, "alice@example.com", "Customer", "Email");
        Assert.Equal(a, EncryptedStringCipher.ComputeBlindIndex(ring, "alice@example.com", "Customer", "Email"));
        Assert.NotEqual(a, EncryptedStringCipher.ComputeBlindIndex(ring, "bob@example.com", "Customer", "Email"));
        Assert.Equal(44, a.Length);

        var otherKey = new EncryptionKeyRing().Add("k1", Key1).SetBlindIndexKey(Enumerable.Repeat((byte)7, 32).ToArray());
        Assert.NotEqual(a, EncryptedStringCipher.ComputeBlindIndex(otherKey, "alice@example.com", "Customer", "Email"));
    }
}
