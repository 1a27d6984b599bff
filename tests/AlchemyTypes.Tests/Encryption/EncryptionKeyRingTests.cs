using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;

namespace AlchemyTypes.Tests.Encryption;

public sealed class EncryptionKeyRingTests
{
    [Fact]
    public void First_key_is_current_until_another_is_made_current()
    {
        var ring = new EncryptionKeyRing().Add("a", EncryptionKeyRing.GenerateKey()).Add("b", EncryptionKeyRing.GenerateKey());
        Assert.Equal("a", ring.CurrentKeyId);
        ring.SetCurrent("b");
        Assert.Equal("b", ring.CurrentKeyId);
        Assert.Equal(["a", "b"], ring.KeyIds.Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Keys_must_be_32_bytes(int length)
    {
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => new EncryptionKeyRing().Add("k", new byte[length]));
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("colon:inside")]
    [InlineData("under_score")]
    [InlineData("0123456789012345678901234567890123")]
    public void Key_ids_are_short_and_safe(string keyId)
        => Assert.Throws<AlchemyTypesConfigurationException>(() => new EncryptionKeyRing().Add(keyId, EncryptionKeyRing.GenerateKey()));

    [Fact]
    public void Duplicate_ids_unknown_current_and_reused_blind_keys_are_refused()
    {
        var key = EncryptionKeyRing.GenerateKey();
        var ring = new EncryptionKeyRing().Add("k1", key);
        Assert.Throws<AlchemyTypesConfigurationException>(() => ring.Add("k1", EncryptionKeyRing.GenerateKey()));
        Assert.Throws<AlchemyTypesConfigurationException>(() => ring.Add("K1", EncryptionKeyRing.GenerateKey()));
        Assert.Throws<AlchemyTypesConfigurationException>(() => ring.SetCurrent("k9"));
        Assert.Throws<AlchemyTypesConfigurationException>(() => ring.SetBlindIndexKey(key));
        ring.SetBlindIndexKey(EncryptionKeyRing.GenerateKey());
        Assert.True(ring.HasBlindIndexKey);
    }

    [Fact]
    public void Key_bytes_are_copied()
    {
        var key = EncryptionKeyRing.GenerateKey();
        var ring = new EncryptionKeyRing().Add("k1", key);
        var stored = EncryptedStringCipher.Encrypt(ring, "x");
        Array.Clear(key);
        Assert.Equal("x", EncryptedStringCipher.Decrypt(ring, stored, "E", "P"));
    }

    [Fact]
    public void Empty_ring_cannot_encrypt()
        => Assert.Throws<AlchemyTypesConfigurationException>(() => EncryptedStringCipher.Encrypt(new EncryptionKeyRing(), "x"));
}
