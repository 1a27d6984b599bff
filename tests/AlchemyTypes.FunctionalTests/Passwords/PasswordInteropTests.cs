using System.Globalization;
using System.Text;
using AlchemyTypes.Argon2;
using AlchemyTypes.BCrypt;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;

namespace AlchemyTypes.FunctionalTests.Passwords;

/// <summary>
/// Hashes written by AlchemyTypes verify with independent implementations, and theirs with ours: the reference argon2
/// tool, libsodium, and Apache htpasswd.
/// </summary>
public sealed class PasswordInteropTests
{
    private const string Password = "Tr0ub4dor&3 – ünïcödé";

    private static Argon2PasswordHasher Argon2(int memoryKiB, int iterations, int parallelism)
        => new(new Argon2Options { MemorySizeKiB = memoryKiB, Iterations = iterations, Parallelism = parallelism });

    private static Task<(int ExitCode, string Output)> Argon2Cli(string salt, int memoryKiB, int iterations, int parallelism, string password)
        => ReferenceTools.RunAsync(
            "argon2",
            "argon2",
            [salt, "-id", "-k", memoryKiB.ToString(CultureInfo.InvariantCulture), "-t", iterations.ToString(CultureInfo.InvariantCulture),
                "-p", parallelism.ToString(CultureInfo.InvariantCulture), "-e"],
            password);

    [Theory]
    [InlineData(19456, 2, 1)] // OWASP
    [InlineData(4096, 3, 1)]
    [InlineData(8192, 1, 2)]
    public async Task Reference_argon2_tool_hashes_verify_with_ours(int memoryKiB, int iterations, int parallelism)
    {
        var (exitCode, output) = await Argon2Cli("somesaltvalue123", memoryKiB, iterations, parallelism, Password);
        Assert.True(exitCode == 0, output);
        var encoded = output.Trim();
        Assert.StartsWith($"$argon2id$v=19$m={memoryKiB},t={iterations},p={parallelism}$", encoded, StringComparison.Ordinal);

        using var hasher = new Argon2PasswordHasher();
        Assert.True(hasher.Verify(Encoding.UTF8.GetBytes(Password), encoded));
        Assert.False(hasher.Verify("Tr0ub4dor&3"u8, encoded));
    }

    [Promise("P-PWD-12")]
    [Theory]
    [InlineData("-i", "argon2i")]
    [InlineData("-d", "argon2d")]
    public async Task Reference_argon2i_and_argon2d_hashes_verify_and_need_rehash(string flag, string type)
    {
        var (exitCode, output) = await ReferenceTools.RunAsync("argon2", "argon2", ["somesaltvalue123", flag, "-k", "4096", "-t", "2", "-e"], Password);
        Assert.True(exitCode == 0, output);
        var encoded = output.Trim();
        Assert.StartsWith($"${type}$v=19$", encoded, StringComparison.Ordinal);

        using var hasher = new Argon2PasswordHasher();
        Assert.True(hasher.Verify(Encoding.UTF8.GetBytes(Password), encoded));
        Assert.False(hasher.Verify("wrong"u8, encoded));
        Assert.True(hasher.NeedsRehash(encoded));
    }

    [Promise("P-PWD-11")]
    [Theory]
    [InlineData(19456, 2, 1)]
    [InlineData(8192, 1, 2)]
    public async Task Our_hash_equals_the_reference_tools_for_the_same_salt_and_parameters(int memoryKiB, int iterations, int parallelism)
    {
        const string salt = "alchemy-salt-16b";
        var (exitCode, output) = await Argon2Cli(salt, memoryKiB, iterations, parallelism, Password);
        Assert.True(exitCode == 0, output);

        using var hasher = Argon2(memoryKiB, iterations, parallelism);
        Assert.Equal(output.Trim(), hasher.HashWithSalt(Encoding.UTF8.GetBytes(Password), Encoding.ASCII.GetBytes(salt)));
    }

    [Promise("P-PWD-11")]
    [Fact]
    public void Libsodium_verifies_our_hashes()
    {
        using var hasher = new Argon2PasswordHasher();
        var encoded = hasher.Hash(Encoding.UTF8.GetBytes(Password));
        Assert.True(ReferenceTools.SodiumVerify(encoded, Password));
        Assert.False(ReferenceTools.SodiumVerify(encoded, "wrong"));
    }

    [Promise("P-PWD-05", "P-PWD-11")]
    [Fact]
    public void Our_verifier_accepts_libsodium_hashes_at_OWASP_parameters_without_rehash()
    {
        var encoded = ReferenceTools.SodiumHash(Password, 19456, 2);
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", encoded, StringComparison.Ordinal);

        using var hasher = new Argon2PasswordHasher();
        Assert.True(hasher.Verify(Encoding.UTF8.GetBytes(Password), encoded));
        Assert.False(hasher.Verify("wrong"u8, encoded));
        Assert.False(hasher.NeedsRehash(encoded));
        Assert.True(new Argon2PasswordHasher(new Argon2Options { Iterations = 3 }).NeedsRehash(encoded));
    }

    [Promise("P-PWD-05", "P-PWD-15")]
    [Fact]
    public async Task Htpasswd_2y_hashes_verify_with_ours()
    {
        var (exitCode, output) = await ReferenceTools.RunAsync("htpasswd", "apache2-utils", ["-nbB", "-C", "5", "user", Password]);
        Assert.True(exitCode == 0, output);
        var encoded = output.Trim()["user:".Length..];
        Assert.StartsWith("$2y$05$", encoded, StringComparison.Ordinal);

        var hasher = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 5 });
        Assert.True(hasher.CanVerify(encoded));
        Assert.True(hasher.Verify(Encoding.UTF8.GetBytes(Password), encoded));
        Assert.False(hasher.Verify("wrong"u8, encoded));
        Assert.False(hasher.NeedsRehash(encoded));
        Assert.True(new BCryptPasswordHasher().NeedsRehash(encoded));
    }

    [Promise("P-PWD-15")]
    [Fact]
    public async Task Htpasswd_verifies_our_bcrypt_hashes()
    {
        var hasher = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 5 });
        var encoded = hasher.Hash(Encoding.UTF8.GetBytes(Password));
        Assert.StartsWith("$2b$05$", encoded, StringComparison.Ordinal);

        var file = Path.Combine(Path.GetTempPath(), $"alchemytypes-htpasswd-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "user:" + encoded + "\n");
        try
        {
            var (ok, okOutput) = await ReferenceTools.RunAsync("htpasswd", "apache2-utils", ["-vb", file, "user", Password]);
            Assert.True(ok == 0, okOutput);
            var (wrong, _) = await ReferenceTools.RunAsync("htpasswd", "apache2-utils", ["-vb", file, "user", "wrong"]);
            Assert.NotEqual(0, wrong);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
