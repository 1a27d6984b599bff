using System.Text;
using AlchemyTypes.Argon2;
using AlchemyTypes.BCrypt;
using AlchemyTypes.Passwords;
using AlchemyTypes.Testing;

namespace AlchemyTypes.Tests.Passwords;

/// <summary>The Argon2 verification limits at their exact boundaries, BCrypt's NUL refusal and its $2a$ hashes.</summary>
public sealed class PasswordLimitTests
{
    private static readonly byte[] Password = "limits and boundaries"u8.ToArray();

    private static Argon2PasswordHasher Hasher(int memoryKiB, int iterations, int maxVerifyMemoryKiB = 256 * 1024, int maxVerifyIterations = 16)
        => new(new Argon2Options
        {
            MemorySizeKiB = memoryKiB,
            Iterations = iterations,
            MaxVerifyMemorySizeKiB = maxVerifyMemoryKiB,
            MaxVerifyIterations = maxVerifyIterations,
        });

    [Promise("P-PWD-13")]
    [Fact]
    public void The_default_limits_are_256_MiB_and_16_iterations()
    {
        var options = new Argon2Options();
        Assert.Equal(256 * 1024, options.MaxVerifyMemorySizeKiB);
        Assert.Equal(16, options.MaxVerifyIterations);
    }

    [Promise("P-PWD-13")]
    [Fact]
    public void A_hash_at_the_iteration_limit_verifies_and_one_above_never_does()
    {
        using var verifier = Hasher(memoryKiB: 64, iterations: 1);
        using var atLimit = Hasher(memoryKiB: 64, iterations: 16);
        using var aboveLimit = Hasher(memoryKiB: 64, iterations: 17, maxVerifyIterations: 17);

        Assert.True(verifier.Verify(Password, atLimit.Hash(Password)));
        var tooCostly = aboveLimit.Hash(Password);
        Assert.True(aboveLimit.Verify(Password, tooCostly)); // a valid hash, refused only for its cost
        Assert.False(verifier.Verify(Password, tooCostly));
    }

    [Promise("P-PWD-13")]
    [Fact]
    public void A_hash_at_the_memory_limit_verifies_and_one_above_never_does()
    {
        // The 256 MiB default is not allocated in a unit test: the same check runs against a 2 MiB limit.
        using var verifier = Hasher(memoryKiB: 1024, iterations: 1, maxVerifyMemoryKiB: 2048);
        using var atLimit = Hasher(memoryKiB: 2048, iterations: 1);
        using var aboveLimit = Hasher(memoryKiB: 2049, iterations: 1);

        Assert.True(verifier.Verify(Password, atLimit.Hash(Password)));
        var tooCostly = aboveLimit.Hash(Password);
        Assert.True(aboveLimit.Verify(Password, tooCostly));
        Assert.False(verifier.Verify(Password, tooCostly));
    }

    [Promise("P-PWD-13")]
    [Fact]
    public async Task A_stored_hash_asking_for_more_than_the_default_limits_fails_without_allocating()
    {
        using var verifier = Hasher(memoryKiB: 64, iterations: 1);
        var real = verifier.Hash(Password);
        var parts = real.Split('$');
        var hugeMemory = string.Join('$', parts[0], parts[1], parts[2], "m=1048577,t=1,p=1", parts[4], parts[5]);
        var hugeIterations = string.Join('$', parts[0], parts[1], parts[2], "m=64,t=65,p=1", parts[4], parts[5]);
        var maxInt = string.Join('$', parts[0], parts[1], parts[2], "m=2147483647,t=2147483647,p=1", parts[4], parts[5]);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        foreach (var hostile in new[] { hugeMemory, hugeIterations, maxInt })
        {
            Assert.False(verifier.Verify(Password, hostile));
            Assert.False(await verifier.VerifyAsync(Password, hostile));
        }

        // Verifying any of them would have allocated at least 1 GiB; refusing them costs next to nothing.
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64L * 1024 * 1024);
    }

    [Promise("P-PWD-16")]
    [Fact]
    public void BCrypt_refuses_a_password_containing_NUL_and_never_verifies_one()
    {
        var hasher = TestHashers.BCrypt();
        var withNul = Encoding.UTF8.GetBytes("before\0after");
        var error = Assert.Throws<InvalidPasswordException>(() => hasher.Hash(withNul));
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);

        // A hash of the part before the NUL (what a truncating implementation would compare) never matches.
        var prefixHash = hasher.Hash("before"u8);
        Assert.True(hasher.Verify("before"u8, prefixHash));
        Assert.False(hasher.Verify(withNul, prefixHash));
        var sameStringHash = global::BCrypt.Net.BCrypt.HashPassword("before\0after", workFactor: 4);
        Assert.False(hasher.Verify(withNul, sameStringHash));
    }

    [Promise("P-PWD-15")]
    [Fact]
    public void BCrypt_2a_hashes_verify_and_new_hashes_are_2b()
    {
        var hasher = TestHashers.BCrypt();
        var legacy = global::BCrypt.Net.BCrypt.HashPassword("legacy password", global::BCrypt.Net.BCrypt.GenerateSalt(4, 'a'));
        Assert.StartsWith("$2a$04$", legacy, StringComparison.Ordinal);
        Assert.True(hasher.CanVerify(legacy));
        Assert.True(hasher.Verify("legacy password"u8, legacy));
        Assert.False(hasher.Verify("legacy passworD"u8, legacy));
        Assert.StartsWith("$2b$04$", hasher.Hash("legacy password"u8), StringComparison.Ordinal);
    }
}
