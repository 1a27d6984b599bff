using System.Text;
using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.Testing;

namespace AlchemyTypes.Tests.Encryption;

public sealed class EncryptedStringCipherTests
{
    private static readonly byte[] Key1 = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Key2 = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    private static EncryptionKeyRing Ring() => new EncryptionKeyRing().Add("k1", Key1);

    private static readonly EncryptionBinding Place = EncryptionBinding.For(null, "Customers", "Notes");

    private static string Decrypt(EncryptionKeyRing ring, string stored) => EncryptedStringCipher.Decrypt(ring, stored, "Customer", "Notes", Place);

    private static string Encrypt(EncryptionKeyRing ring, string plaintext) => EncryptedStringCipher.Encrypt(ring, plaintext, Place);

    [Theory]
    [InlineData("")]
    [InlineData("alice@example.com")]
    [InlineData("Grüße, 日本語, emoji 🎉, NUL \0 inside")]
    public void Round_trips_any_string(string plaintext)
    {
        var ring = Ring();
        var stored = Encrypt(ring, plaintext);
        Assert.Equal(plaintext, Decrypt(ring, stored));
    }

    [Promise("P-ENC-10")]
    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    [InlineData(228)]
    [InlineData(229)]
    [InlineData(300)]
    [InlineData(100_000)]
    public void Values_on_both_sides_of_the_stack_buffer_round_trip_and_reject_tampering(int length)
    {
        // Decryption keeps payloads up to 256 bytes on the stack and rents longer ones: both paths decrypt, and both refuse
        // a flipped ciphertext bit.
        var ring = Ring();
        var plaintext = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));
        var stored = Encrypt(ring, plaintext);
        Assert.Equal(plaintext, Decrypt(ring, stored));

        var header = stored[..(stored.LastIndexOf(':') + 1)];
        var payload = Convert.FromBase64String(stored[header.Length..]);
        payload[payload.Length / 2] ^= 0x01;
        var failure = Assert.Throws<EncryptedValueException>(() => Decrypt(ring, header + Convert.ToBase64String(payload)));
        Assert.Equal(EncryptedValueFailure.AuthenticationFailed, failure.Failure);
    }

    [Fact]
    public void Stored_value_is_v2_header_then_base64_of_nonce_ciphertext_and_tag()
    {
        var stored = Encrypt(Ring(), "héllo");
        Assert.Matches("^v2:k1:[A-Za-z0-9+/]+={0,2}$", stored);
        var payload = Convert.FromBase64String(stored["v2:k1:".Length..]);
        Assert.Equal(12 + Encoding.UTF8.GetByteCount("héllo") + 16, payload.Length);
        Assert.DoesNotContain("héllo", stored, StringComparison.Ordinal);
    }

    [Promise("P-ENC-06", "P-ENC-10")]
    [Fact]
    public void Same_plaintext_encrypts_differently_each_time()
    {
        var ring = Ring();
        var values = Enumerable.Range(0, 50).Select(_ => Encrypt(ring, "same")).ToHashSet();
        Assert.Equal(50, values.Count);
        var nonces = values.Select(v => Convert.ToBase64String(Convert.FromBase64String(v[6..])[..12])).ToHashSet();
        Assert.Equal(50, nonces.Count);
    }

    [Promise("P-ENC-02")]
    [Fact]
    public void Maximum_stored_length_bounds_the_worst_case_plaintext()
    {
        var ring = new EncryptionKeyRing().Add(new string('x', EncryptionKeyRing.MaxKeyIdLength), Key1);
        foreach (var text in new[] { new string('a', 10), new string('€', 10), string.Concat(Enumerable.Repeat("🎉", 5)) })
        {
            Assert.True(Encrypt(ring, text).Length <= EncryptedStringCipher.MaxStoredLength(text.Length));
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
            if (Decrypt(ring, Encrypt(ring, text)) != text)
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Promise("P-ENC-12")]
    [Fact]
    public void Values_written_with_an_old_key_still_decrypt_after_rotation()
    {
        var ring = Ring();
        var old = Encrypt(ring, "old secret");
        ring.Add("k2", Key2, makeCurrent: true);
        var fresh = Encrypt(ring, "new secret");

        Assert.StartsWith("v2:k2:", fresh, StringComparison.Ordinal);
        Assert.Equal("old secret", Decrypt(ring, old));
        Assert.Equal("new secret", Decrypt(ring, fresh));
        Assert.Equal("k1", EncryptedStringCipher.ReadKeyId(old));
    }

    [Promise("P-ENC-04", "P-ENC-11")]
    [Fact]
    public void A_flipped_bit_anywhere_in_the_payload_fails_authentication()
    {
        var ring = Ring();
        var stored = Encrypt(ring, "account 12345");
        var payload = Convert.FromBase64String(stored[6..]);
        for (var i = 0; i < payload.Length; i++)
        {
            var tampered = (byte[])payload.Clone();
            tampered[i] ^= 0x01;
            var error = Assert.Throws<EncryptedValueException>(() => Decrypt(ring, "v2:k1:" + Convert.ToBase64String(tampered)));
            Assert.Equal(EncryptedValueFailure.AuthenticationFailed, error.Failure);
        }
    }

    [Promise("P-ENC-10", "P-ENC-11")]
    [Fact]
    public void Swapping_the_key_id_in_the_header_fails_authentication()
    {
        var ring = Ring().Add("k2", Key2);
        var stored = Encrypt(ring, "secret");
        var error = Assert.Throws<EncryptedValueException>(() => Decrypt(ring, "v2:k2:" + stored[6..]));
        Assert.Equal(EncryptedValueFailure.AuthenticationFailed, error.Failure);
    }

    [Promise("P-ENC-11")]
    [Fact]
    public void A_different_key_under_the_same_id_fails_authentication()
    {
        var stored = Encrypt(Ring(), "secret");
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
        { "v4:k1:AAAA", EncryptedValueFailure.UnsupportedVersion },
        { "v2:k1:not base64!", EncryptedValueFailure.NotBase64 },
        { "v2:k1:", EncryptedValueFailure.Truncated },
        { "v1:nope:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", EncryptedValueFailure.UnknownKeyId },
        { "v1:k1:not base64!", EncryptedValueFailure.NotBase64 },
        { "v1:k1:AAA", EncryptedValueFailure.NotBase64 },
        { "v1:k1:", EncryptedValueFailure.Truncated },
        { "v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", EncryptedValueFailure.Truncated },
    };

    [Promise("P-ENC-04", "P-ENC-11")]
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

    [Promise("P-ENC-04", "P-ENC-11")]
    [Fact]
    public void Truncated_values_never_decrypt()
    {
        var ring = Ring();
        var stored = Encrypt(ring, "a secret long enough to be cut in many places");
        for (var length = 0; length < stored.Length; length++)
        {
            Assert.Throws<EncryptedValueException>(() => Decrypt(ring, stored[..length]));
        }
    }

    [Promise("P-ENC-07", "P-ENC-13")]
    [Fact]
    public void Blind_index_is_deterministic_keyed_and_not_the_plaintext()
    {
        var column = EncryptedStringCipher.DeriveBlindIndexKey(Key2, EncryptionBinding.For(null, "Customers", "Email"));
        var a = EncryptedStringCipher.ComputeBlindIndex(column, "alice@example.com");
        Assert.Equal(a, EncryptedStringCipher.ComputeBlindIndex(column, "alice@example.com"));
        Assert.NotEqual(a, EncryptedStringCipher.ComputeBlindIndex(column, "bob@example.com"));
        Assert.Equal(44, a.Length);

        var otherMaster = EncryptedStringCipher.DeriveBlindIndexKey(Enumerable.Repeat((byte)7, 32).ToArray(), EncryptionBinding.For(null,
            "Customers", "Email"));
        Assert.NotEqual(a, EncryptedStringCipher.ComputeBlindIndex(otherMaster, "alice@example.com"));
    }
}
