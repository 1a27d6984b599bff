using System.Collections;
using System.Reflection;
using System.Text;
using AlchemyTypes.Passwords;
using AlchemyTypes.Testing;

namespace AlchemyTypes.Tests.Passwords;

public sealed class PasswordHashTests
{
    public static TheoryData<string> MalformedHashes => new()
    {
        "",
        "not a hash",
        "$argon2id$",
        "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$",
        "$argon2id$v=19$m=1024,t=1,p=1$!!!!!!!!$AAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=16$m=1024,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=1024,t=999999,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=1024,t=-1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$t=1,m=1024,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$2b$12$tooshort",
        "$2b$99$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE",
        "$2q$12$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
    };

    [Promise("P-PWD-02", "P-PWD-17")]
    [Theory]
    [MemberData(nameof(MalformedHashes))]
    public void Malformed_or_unknown_hashes_do_not_verify_and_need_rehash_without_throwing(string stored)
    {
        var registry = TestHashers.Registry(TestHashers.Argon2(), TestHashers.BCrypt());
        var hash = PasswordHash.Loaded(stored, registry);
        Assert.False(hash.Verify("password"));
        Assert.True(hash.NeedsRehash);
        Assert.False(hash.VerifyAndUpgrade("password").Valid);
        Assert.Null(hash.VerifyAndUpgrade("password").NewHash);
    }

    [Promise("P-PWD-03")]
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Null_or_empty_password_cannot_be_hashed(string? password)
        => Assert.Throws<InvalidPasswordException>(() => PasswordHash.FromPassword(password!));

    [Fact]
    public void Argon2id_hash_verifies_the_password_only()
    {
        var registry = TestHashers.Registry(TestHashers.Argon2());
        var hash = TestHashers.Hashed(registry, "correct horse");
        Assert.Matches(@"^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", hash.EncodedHash);
        Assert.True(hash.Verify("correct horse"));
        Assert.False(hash.Verify("correct horsE"));
        Assert.False(hash.Verify(""));
        Assert.False(hash.Verify(null));
        Assert.False(hash.NeedsRehash);
    }

    [Promise("P-PWD-15")]
    [Fact]
    public void BCrypt_hash_is_2b_with_the_configured_cost()
    {
        var registry = TestHashers.Registry(TestHashers.BCrypt(5));
        var hash = TestHashers.Hashed(registry, "pässwörd");
        Assert.Matches(@"^\$2b\$05\$[./A-Za-z0-9]{53}$", hash.EncodedHash);
        Assert.True(hash.Verify("pässwörd"));
        Assert.False(hash.Verify("passwort"));
    }

    [Fact]
    public void Same_password_hashes_differently_each_time()
    {
        var registry = TestHashers.Registry(TestHashers.Argon2());
        Assert.NotEqual(TestHashers.Hashed(registry, "pw").EncodedHash, TestHashers.Hashed(registry, "pw").EncodedHash);
    }

    [Promise("P-PWD-03", "P-PWD-16")]
    [Theory]
    [InlineData(73, "a")]
    [InlineData(25, "€")] // 75 UTF-8 bytes in 25 characters
    public void Passwords_over_72_bytes_are_refused_by_bcrypt_never_truncated(int count, string unit)
    {
        var registry = TestHashers.Registry(TestHashers.BCrypt());
        var password = string.Concat(Enumerable.Repeat(unit, count));
        var error = Assert.Throws<PasswordTooLongException>(() => TestHashers.Hashed(registry, password));
        Assert.Equal(72, error.MaxBytes);
        Assert.Equal(Encoding.UTF8.GetByteCount(password), error.ActualBytes);

        // And a 72-byte password's hash never accepts a longer password sharing its prefix.
        var exact = TestHashers.Hashed(registry, new string('a', 72));
        Assert.True(exact.Verify(new string('a', 72)));
        Assert.False(exact.Verify(new string('a', 73)));
    }

    [Promise("P-PWD-01")]
    [Fact]
    public void Pending_password_is_not_shown_by_ToString_and_cannot_be_verified_before_saving()
    {
        var hash = PasswordHash.FromPassword("hunter2");
        Assert.Equal("PasswordHash(pending)", hash.ToString());
        Assert.True(hash.IsPending);
        Assert.Throws<PasswordHashStateException>(() => hash.Verify("hunter2"));

        hash.Complete(TestHashers.Registry(TestHashers.Argon2()));
        Assert.Equal("PasswordHash(argon2id)", hash.ToString());
        Assert.DoesNotContain("hunter2", hash.ToString(), StringComparison.Ordinal);
    }

    [Promise("P-PWD-01", "P-PWD-10")]
    [Fact]
    public void Plaintext_is_not_reachable_from_the_object_after_hashing()
    {
        var hash = PasswordHash.FromPassword("hunter2-unique-marker");
        var pending = FindBuffers(hash).ToList();
        Assert.Contains(pending, b => Encoding.UTF8.GetString(b) == "hunter2-unique-marker");

        hash.Complete(TestHashers.Registry(TestHashers.Argon2()));
        Assert.All(pending, b => Assert.All(b, x => Assert.Equal(0, x))); // the buffer was zeroed
        Assert.Empty(FindBuffers(hash));
        Assert.DoesNotContain(FindStrings(hash), s => s.Contains("hunter2", StringComparison.Ordinal));
    }

    [Promise("P-PWD-17")]
    [Fact]
    public void NeedsRehash_when_parameters_are_weaker_or_algorithm_differs()
    {
        var weak = TestHashers.Argon2(memoryKiB: 512);
        var strong = TestHashers.Argon2(memoryKiB: 1024, iterations: 2);
        var bcrypt = TestHashers.BCrypt();
        var oldRegistry = TestHashers.Registry(weak);
        var newRegistry = TestHashers.Registry(strong, bcrypt);

        var weakHash = PasswordHash.Loaded(TestHashers.Hashed(oldRegistry, "pw").EncodedHash!, newRegistry);
        Assert.True(weakHash.NeedsRehash);
        var bcryptHash = PasswordHash.Loaded(TestHashers.Hashed(TestHashers.Registry(bcrypt), "pw").EncodedHash!, newRegistry);
        Assert.True(bcryptHash.NeedsRehash);
        Assert.False(TestHashers.Hashed(newRegistry, "pw").NeedsRehash);
        Assert.False(TestHashers.Hashed(TestHashers.Registry(TestHashers.BCrypt(4)), "pw").NeedsRehash);
        Assert.True(PasswordHash.Loaded(TestHashers.Hashed(TestHashers.Registry(TestHashers.BCrypt(4)), "pw").EncodedHash!,
            TestHashers.Registry(TestHashers.BCrypt(6))).NeedsRehash);
    }

    [Promise("P-PWD-17")]
    [Fact]
    public async Task VerifyAndUpgrade_returns_a_new_hash_only_for_a_valid_password_with_an_outdated_hash()
    {
        var bcrypt = TestHashers.BCrypt();
        var argon2 = TestHashers.Argon2();
        var legacy = TestHashers.Hashed(TestHashers.Registry(bcrypt), "s3cret").EncodedHash!;
        var loaded = PasswordHash.Loaded(legacy, TestHashers.Registry(argon2, bcrypt));

        var wrong = loaded.VerifyAndUpgrade("wrong");
        Assert.False(wrong.Valid);
        Assert.Null(wrong.NewHash);

        var right = loaded.VerifyAndUpgrade("s3cret");
        Assert.True(right.Valid);
        Assert.NotNull(right.NewHash);
        Assert.StartsWith("$argon2id$", right.NewHash!.EncodedHash, StringComparison.Ordinal);
        Assert.True(right.NewHash.Verify("s3cret"));
        Assert.False(right.NewHash.NeedsRehash);

        var asyncResult = await loaded.VerifyAndUpgradeAsync("s3cret");
        Assert.True(asyncResult.Valid);
        Assert.StartsWith("$argon2id$", asyncResult.NewHash!.EncodedHash, StringComparison.Ordinal);

        var current = right.NewHash.VerifyAndUpgrade("s3cret");
        Assert.True(current.Valid);
        Assert.Null(current.NewHash);
    }

    [Fact]
    public void Registered_hashers_of_every_algorithm_verify()
    {
        var argon2 = TestHashers.Argon2();
        var bcrypt = TestHashers.BCrypt();
        var registry = TestHashers.Registry(bcrypt, argon2);
        var fromArgon2 = PasswordHash.Loaded(TestHashers.Hashed(TestHashers.Registry(argon2), "pw").EncodedHash!, registry);
        var fromBCrypt = TestHashers.Hashed(registry, "pw");
        Assert.StartsWith("$2b$", fromBCrypt.EncodedHash, StringComparison.Ordinal);
        Assert.True(fromArgon2.Verify("pw"));
        Assert.True(fromBCrypt.Verify("pw"));
    }

    [Promise("P-PWD-04", "P-PWD-14")]
    [Fact]
    public async Task Thirty_two_concurrent_verifications_complete_correctly_within_the_concurrency_bound()
    {
        using var argon2 = TestHashers.Argon2(memoryKiB: 19 * 1024, iterations: 2, maxConcurrency: 2);
        var registry = TestHashers.Registry(argon2);
        var hash = TestHashers.Hashed(registry, "concurrent");

        var tasks = Enumerable.Range(0, 32)
            .Select(i => Task.Run(async () => i % 2 == 0 ? await hash.VerifyAsync(i % 4 == 0 ? "concurrent" : "wrong")
                : hash.Verify(i % 4 == 1 ? "concurrent" : "wrong")))
            .ToArray();
        var results = await Task.WhenAll(tasks);

        for (var i = 0; i < 32; i++)
        {
            Assert.Equal(i % 4 is 0 or 1, results[i]);
        }

        Assert.InRange(argon2.PeakConcurrency, 1, 2);
    }

    [Promise("P-PWD-04", "P-PWD-14")]
    [Fact]
    public async Task Async_hashing_waits_for_a_slot_and_honours_cancellation()
    {
        using var argon2 = TestHashers.Argon2(maxConcurrency: 1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await argon2.HashAsync("pw"u8.ToArray(), cancelled.Token));
        var encoded = await argon2.HashAsync("pw"u8.ToArray());
        Assert.True(argon2.Verify("pw"u8, encoded));
    }

    [Promise("P-PWD-06")]
    [Fact]
    public void Hashers_with_equal_settings_are_equal_so_contexts_share_a_service_provider()
    {
        Assert.Equal(TestHashers.Argon2(), TestHashers.Argon2());
        Assert.NotEqual(TestHashers.Argon2(), TestHashers.Argon2(memoryKiB: 2048));
        Assert.Equal(TestHashers.BCrypt(10), TestHashers.BCrypt(10));
        Assert.NotEqual(TestHashers.BCrypt(10), TestHashers.BCrypt(11));
    }

    [Fact]
    public void Invalid_hasher_settings_are_configuration_errors()
    {
        Assert.Throws<AlchemyTypesConfigurationException>(() => TestHashers.Argon2(memoryKiB: 4));
        Assert.Throws<AlchemyTypesConfigurationException>(() => TestHashers.Argon2(iterations: 0));
        Assert.Throws<AlchemyTypesConfigurationException>(() => TestHashers.Argon2(maxConcurrency: 0));
        Assert.Throws<AlchemyTypesConfigurationException>(() => TestHashers.BCrypt(3));
        Assert.Throws<AlchemyTypesConfigurationException>(() => TestHashers.BCrypt(32));
    }

    private static IEnumerable<byte[]> FindBuffers(object target)
        => Fields(target).OfType<byte[]>();

    private static IEnumerable<string> FindStrings(object target)
        => Fields(target).OfType<string>();

    private static IEnumerable<object> Fields(object target)
    {
        foreach (var field in target.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            if (field.GetValue(target) is { } value)
            {
                yield return value;
                if (value is IEnumerable and not string)
                {
                    foreach (var item in (IEnumerable)value)
                    {
                        if (item is not null)
                        {
                            yield return item;
                        }
                    }
                }
            }
        }
    }
}
