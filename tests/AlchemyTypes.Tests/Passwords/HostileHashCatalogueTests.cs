using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using AlchemyTypes.Argon2;
using AlchemyTypes.Argon2.Sodium;
using AlchemyTypes.BCrypt;
using AlchemyTypes.Passwords;

namespace AlchemyTypes.Tests.Passwords;

/// <summary>
/// The hostile-input catalogue for stored password hashes: what someone with write access to the password column could
/// put there. Every entry has the same typed outcome in every hasher: it does not verify, it needs a rehash, nothing
/// throws, and (for Argon2) nothing is computed: the memory gate never admits it.
/// </summary>
public sealed class HostileHashCatalogueTests
{
    private const string Password = "correct horse battery staple";
    private const string Salt16 = "c29tZXNhbHR2YWx1ZTEyMw"; // 16 bytes
    private const string Hash32 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    public static TheoryData<string, string> HostileArgon2 => new()
    {
        { "memory above the verify limit", $"$argon2id$v=19$m=262145,t=1,p=1${Salt16}${Hash32}" },
        { "memory at int.MaxValue", $"$argon2id$v=19$m=2147483647,t=1,p=1${Salt16}${Hash32}" },
        { "memory overflowing int", $"$argon2id$v=19$m=4294967296,t=1,p=1${Salt16}${Hash32}" },
        { "memory below 8 x lanes", $"$argon2id$v=19$m=15,t=1,p=2${Salt16}${Hash32}" },
        { "zero memory", $"$argon2id$v=19$m=0,t=1,p=1${Salt16}${Hash32}" },
        { "iterations above the verify limit", $"$argon2id$v=19$m=1024,t=17,p=1${Salt16}${Hash32}" },
        { "iterations at int.MaxValue", $"$argon2id$v=19$m=1024,t=2147483647,p=1${Salt16}${Hash32}" },
        { "zero iterations", $"$argon2id$v=19$m=1024,t=0,p=1${Salt16}${Hash32}" },
        { "lanes above the verify limit", $"$argon2id$v=19$m=1024,t=1,p=9${Salt16}${Hash32}" },
        { "lanes above 255", $"$argon2id$v=19$m=8192,t=1,p=256${Salt16}${Hash32}" },
        { "zero lanes", $"$argon2id$v=19$m=1024,t=1,p=0${Salt16}${Hash32}" },
        { "negative lanes", $"$argon2id$v=19$m=1024,t=1,p=-1${Salt16}${Hash32}" },
        { "leading zero", $"$argon2id$v=19$m=01024,t=1,p=1${Salt16}${Hash32}" },
        { "plus sign", $"$argon2id$v=19$m=+1024,t=1,p=1${Salt16}${Hash32}" },
        { "salt of 7 bytes", $"$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbA${Hash32}" },
        { "salt of 65 bytes", $"$argon2id$v=19$m=1024,t=1,p=1${new string('A', 87)}${Hash32}" },
        { "hash of 15 bytes", $"$argon2id$v=19$m=1024,t=1,p=1${Salt16}$AAAAAAAAAAAAAAAAAAAA" },
        { "hash of 129 bytes", $"$argon2id$v=19$m=1024,t=1,p=1${Salt16}${new string('A', 172)}" },
        { "version 1.0", $"$argon2id$v=16$m=1024,t=1,p=1${Salt16}${Hash32}" },
        { "no version", $"$argon2id$m=1024,t=1,p=1${Salt16}${Hash32}" },
        { "version 20", $"$argon2id$v=20$m=1024,t=1,p=1${Salt16}${Hash32}" },
        { "padded Base64", $"$argon2id$v=19$m=1024,t=1,p=1${Salt16}==${Hash32}" },
        { "non-canonical Base64", $"$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHR2YWx1ZTEyMx${Hash32}" },
        { "Base64url characters", $"$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHR2YWx1ZTEy-_${Hash32}" },
        { "extra field", $"$argon2id$v=19$m=1024,t=1,p=1,keyid=x${Salt16}${Hash32}" },
        { "trailing segment", $"$argon2id$v=19$m=1024,t=1,p=1${Salt16}${Hash32}$" },
        { "NUL inside", $"$argon2id$v=19$m=1024,t=1,p=1${Salt16}\0${Hash32}" },
        { "non-ASCII digits", $"$argon2id$v=19$m=１０２４,t=1,p=1${Salt16}${Hash32}" },
        { "oversized string", $"$argon2id$v=19$m=1024,t=1,p=1${Salt16}${new string('A', 100_000)}" },
        { "truncated after the parameters", "$argon2id$v=19$m=1024,t=1,p=1$" },
        { "truncated in the salt", "$argon2id$v=19$m=1024,t=1,p=1$c29tZX" },
        { "prefix only", "$argon2id$" },
        { "argon2x variant", $"$argon2x$v=19$m=1024,t=1,p=1${Salt16}${Hash32}" },
    };

    public static TheoryData<string, string> HostileIdentity => new()
    {
        { "V3 iterations at uint.MaxValue", IdentityV3(prf: 2, iterations: uint.MaxValue, saltLength: 16, salt: 16, subkey: 32) },
        { "V3 iterations above the verify limit", IdentityV3(prf: 2, iterations: 1_000_001, saltLength: 16, salt: 16, subkey: 32) },
        { "V3 zero iterations", IdentityV3(prf: 2, iterations: 0, saltLength: 16, salt: 16, subkey: 32) },
        { "V3 unknown PRF", IdentityV3(prf: 3, iterations: 1000, saltLength: 16, salt: 16, subkey: 32) },
        { "V3 salt length uint.MaxValue", IdentityV3(prf: 2, iterations: 1000, saltLength: uint.MaxValue, salt: 16, subkey: 32) },
        { "V3 salt length past the end", IdentityV3(prf: 2, iterations: 1000, saltLength: 60, salt: 16, subkey: 32) },
        { "V3 salt of 8 bytes", IdentityV3(prf: 2, iterations: 1000, saltLength: 8, salt: 8, subkey: 32) },
        { "V3 salt of 65 bytes", IdentityV3(prf: 2, iterations: 1000, saltLength: 65, salt: 65, subkey: 32) },
        { "V3 subkey of 8 bytes", IdentityV3(prf: 2, iterations: 1000, saltLength: 16, salt: 16, subkey: 8) },
        { "V3 subkey of 100 bytes", IdentityV3(prf: 2, iterations: 1000, saltLength: 16, salt: 16, subkey: 100) },
        { "V3 header only", Convert.ToBase64String(new byte[] { 1, 0, 0, 0, 2, 0, 0, 3, 232, 0, 0, 0, 16 }) },
        { "V2 too short", Convert.ToBase64String(new byte[48]) },
        { "V2 too long", Convert.ToBase64String(new byte[50]) },
        { "unknown format byte", Convert.ToBase64String([2, .. new byte[48]]) },
        { "not Base64", "AQAAAAIAAYagAAAAEP###" },
        { "oversized", Convert.ToBase64String([1, .. new byte[400]]) },
    };

    [Theory]
    [MemberData(nameof(HostileArgon2))]
    public async Task Hostile_argon2_hashes_never_verify_never_throw_and_are_never_computed(string what, string stored)
    {
        using var konscious = new Argon2PasswordHasher(new Argon2Options { MemorySizeKiB = 1024, Iterations = 1 });
        using var sodium = new SodiumArgon2PasswordHasher(new SodiumArgon2Options { MemorySizeKiB = 1024, Iterations = 1 });
        foreach (IPasswordHasher hasher in new IPasswordHasher[] { konscious, sodium })
        {
            Assert.False(hasher.Verify(Encoding.UTF8.GetBytes(Password), stored), what);
            Assert.False(await hasher.VerifyAsync(Encoding.UTF8.GetBytes(Password), stored), what);
            Assert.True(hasher.NeedsRehash(stored), what);
        }

        Assert.Equal(0, konscious.PeakMemoryKiB);
        Assert.Equal(0, sodium.PeakMemoryKiB);

        var hash = PasswordHash.Loaded(stored, TestHashers.Registry(sodium, konscious, TestHashers.BCrypt(), TestHashers.Identity()));
        Assert.False(hash.Verify(Password));
        Assert.True(hash.NeedsRehash);
        var result = await hash.VerifyAndUpgradeAsync(Password);
        Assert.False(result.Valid);
        Assert.Null(result.NewHash);
        Assert.Equal(stored, hash.EncodedHash);
    }

    [Theory]
    [MemberData(nameof(HostileIdentity))]
    public void Hostile_identity_hashes_never_verify_and_never_throw(string what, string stored)
    {
        var identity = TestHashers.Identity();
        Assert.False(identity.Verify(Encoding.UTF8.GetBytes(Password), stored), what);
        Assert.True(identity.NeedsRehash(stored), what);

        var hash = PasswordHash.Loaded(stored, TestHashers.Registry(TestHashers.Sodium(), identity));
        Assert.False(hash.Verify(Password));
        Assert.True(hash.NeedsRehash);
        Assert.False(hash.VerifyAndUpgrade(Password).Valid);
        Assert.Equal(stored, hash.EncodedHash);
    }

    [Fact]
    public void Every_truncation_of_a_valid_hash_fails_verification_without_throwing()
    {
        using var sodium = TestHashers.Sodium();
        using var konscious = TestHashers.Argon2();
        var identity = TestHashers.Identity();
        var bcrypt = TestHashers.BCrypt();
        var password = Encoding.UTF8.GetBytes(Password);
        foreach (var (hasher, valid) in new (IPasswordHasher, string)[]
                 {
                     (sodium, sodium.Hash(password)), (konscious, konscious.Hash(password)),
                     (identity, identity.Hash(password)), (bcrypt, bcrypt.Hash(password)),
                 })
        {
            Assert.True(hasher.Verify(password, valid));
            for (var length = 0; length < valid.Length; length++)
            {
                var truncated = valid[..length];
                Assert.False(hasher.Verify(password, truncated), $"{hasher.Algorithm}: {length} characters");
                Assert.True(hasher.NeedsRehash(truncated), $"{hasher.Algorithm}: {length} characters");
            }
        }
    }

    [Fact]
    public void A_flipped_character_anywhere_in_a_hash_fails_verification()
    {
        using var sodium = TestHashers.Sodium();
        var identity = TestHashers.Identity();
        var password = Encoding.UTF8.GetBytes(Password);
        foreach (var (hasher, valid) in new (IPasswordHasher, string)[] { (sodium, sodium.Hash(password)), (identity, identity.Hash(password)) })
        {
            for (var i = 0; i < valid.Length; i++)
            {
                var flipped = valid[..i] + (valid[i] == 'A' ? 'B' : 'A') + valid[(i + 1)..];
                Assert.False(hasher.Verify(password, flipped), $"{hasher.Algorithm}: character {i}");
            }
        }
    }

    [Fact]
    public async Task The_memory_budget_bounds_concurrent_verifications_in_total_in_both_argon2_providers()
    {
        // Budget for two 4 MiB computations, eight slots: at most two run at once, the others queue, all finish correctly.
        using var sodium = new SodiumArgon2PasswordHasher(new SodiumArgon2Options
        {
            MemorySizeKiB = 4096, Iterations = 1, MaxConcurrency = 8, MaxVerifyMemorySizeKiB = 4096, MemoryBudgetKiB = 8192,
        });
        using var konscious = new Argon2PasswordHasher(new Argon2Options
        {
            MemorySizeKiB = 4096, Iterations = 1, MaxConcurrency = 8, MaxVerifyMemorySizeKiB = 4096, MemoryBudgetKiB = 8192,
        });
        foreach (var (hasher, peakMemory, peakConcurrency) in new (IPasswordHasher, Func<long>, Func<int>)[]
                 {
                     (sodium, () => sodium.PeakMemoryKiB, () => sodium.PeakConcurrency),
                     (konscious, () => konscious.PeakMemoryKiB, () => konscious.PeakConcurrency),
                 })
        {
            var stored = hasher.Hash("budget"u8);
            var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () => i % 2 == 0
                ? await hasher.VerifyAsync(i % 4 == 0 ? "budget"u8.ToArray() : "wrong"u8.ToArray(), stored)
                : hasher.Verify(i % 4 == 1 ? "budget"u8 : "wrong"u8, stored))));
            for (var i = 0; i < results.Length; i++)
            {
                Assert.Equal(i % 4 is 0 or 1, results[i]);
            }

            Assert.InRange(peakMemory(), 4096, 8192);
            Assert.InRange(peakConcurrency(), 1, 2);
        }
    }

    [Fact]
    public void Budget_smaller_than_the_largest_verifiable_hash_is_a_configuration_error()
    {
        Assert.Throws<AlchemyTypesConfigurationException>(() => new SodiumArgon2PasswordHasher(new SodiumArgon2Options { MemoryBudgetKiB = 1024 }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new Argon2PasswordHasher(new Argon2Options { MemoryBudgetKiB = 1024 }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new Argon2PasswordHasher(new Argon2Options { Parallelism = 4, MaxVerifyParallelism = 2 }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new SodiumArgon2PasswordHasher(new SodiumArgon2Options { HashLength = 8 }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new AspNetCoreIdentityPasswordHasher(new AspNetCoreIdentityHashOptions { Iterations = 0 }));
    }

    [Fact]
    public async Task Cancelling_while_queued_for_memory_leaves_the_budget_intact()
    {
        using var sodium = new SodiumArgon2PasswordHasher(new SodiumArgon2Options
        {
            MemorySizeKiB = 1024, Iterations = 1, MaxConcurrency = 4, MaxVerifyMemorySizeKiB = 1024, MemoryBudgetKiB = 1024,
        });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sodium.HashAsync("pw"u8.ToArray(), cancelled.Token));
        var stored = await sodium.HashAsync("pw"u8.ToArray());
        Assert.True(await sodium.VerifyAsync("pw"u8.ToArray(), stored));
        Assert.Equal(1024, sodium.PeakMemoryKiB);
    }

    [Fact]
    public void BCrypt_refuses_NUL_when_hashing_and_never_matches_it_when_verifying()
    {
        var bcrypt = TestHashers.BCrypt();
        Assert.Throws<InvalidPasswordException>(() => bcrypt.Hash("abc\0def"u8));
        var stored = bcrypt.Hash("abc"u8);

        // BCrypt implementations stop at NUL: "abc\0def" would otherwise match the hash of "abc".
        Assert.False(bcrypt.Verify("abc\0def"u8, stored));
        Assert.True(bcrypt.Verify("abc"u8, stored));
    }

    [Fact]
    public void BCrypt_2a_hashes_verify_and_need_a_rehash_only_below_the_configured_cost()
    {
        // The same hash as $2b$ with the $2a$ prefix (OpenBSD's original identifier, still written by many libraries).
        var bcrypt = TestHashers.BCrypt();
        var stored = "$2a$" + bcrypt.Hash("legacy"u8)[4..];
        Assert.True(bcrypt.CanVerify(stored));
        Assert.True(bcrypt.Verify("legacy"u8, stored));
        Assert.False(bcrypt.Verify("Legacy"u8, stored));
        Assert.False(bcrypt.NeedsRehash(stored));
        Assert.True(new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 5 }).NeedsRehash(stored));

        // A fixed $2a$ vector (OpenBSD's test suite, password "U*U").
        Assert.True(bcrypt.Verify("U*U"u8, "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
    }

    [Fact]
    public void Json_never_contains_the_hash_or_the_plaintext_and_refuses_to_read_one()
    {
        var registry = TestHashers.Registry(TestHashers.Sodium());
        var hashed = TestHashers.Hashed(registry, Password);
        var pending = PasswordHash.FromPassword(Password);
        var json = JsonSerializer.Serialize(new { Name = "alice", Password = hashed, Pending = pending, Result = hashed.VerifyAndUpgrade(Password) });

        Assert.DoesNotContain(hashed.EncodedHash!, json, StringComparison.Ordinal);
        Assert.DoesNotContain(hashed.EncodedHash!.Split('$')[^1], json, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
        Assert.DoesNotContain("argon2", json, StringComparison.Ordinal);
        Assert.Contains("\"Password\":null", json, StringComparison.Ordinal);
        Assert.DoesNotContain(hashed.EncodedHash!, hashed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, pending.ToString(), StringComparison.Ordinal);

        foreach (var body in new[] { "{\"Password\":null}", $"{{\"Password\":\"{hashed.EncodedHash}\"}}", "{\"Password\":{\"EncodedHash\":\"x\"}}" })
        {
            var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Holder>(body));
            Assert.Contains("never read from JSON", error.Message, StringComparison.Ordinal);
        }
    }

    private static string IdentityV3(uint prf, uint iterations, uint saltLength, int salt, int subkey)
    {
        var bytes = new byte[13 + salt + subkey];
        bytes[0] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), prf);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), iterations);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(9), saltLength);
        return Convert.ToBase64String(bytes);
    }

    private sealed class Holder
    {
        public PasswordHash? Password { get; set; }
    }
}
