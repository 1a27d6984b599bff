using System.Globalization;
using System.Text;
using AlchemyTypes.Argon2;
using AlchemyTypes.Argon2.Sodium;
using AlchemyTypes.FunctionalTests.TestUtilities;

namespace AlchemyTypes.FunctionalTests.Passwords;

/// <summary>
/// The libsodium provider (AlchemyTypes.Argon2.Sodium) writes and reads the same PHC strings as the Konscious provider,
/// the reference argon2 tool and Debian's libsodium: each verifies the others' hashes.
/// </summary>
public sealed class SodiumInteropTests
{
    private const string Password = "Tr0ub4dor&3 – ünïcödé";

    private static Task<(int ExitCode, string Output)> Argon2Cli(string salt, int memoryKiB, int iterations, int parallelism)
        => ReferenceTools.RunAsync(
            "argon2",
            "argon2",
            [salt, "-id", "-k", memoryKiB.ToString(CultureInfo.InvariantCulture), "-t", iterations.ToString(CultureInfo.InvariantCulture),
                "-p", parallelism.ToString(CultureInfo.InvariantCulture), "-e"],
            Password);

    [Theory]
    [InlineData("somesaltvalue123", 19456, 2, 1)] // OWASP
    [InlineData("somesaltvalue123", 4096, 3, 1)]
    [InlineData("somesaltvalue123", 8192, 1, 2)] // two lanes: libsodium's own verifier of the string
    [InlineData("a-salt-of-24-bytes-here!", 4096, 1, 1)] // another salt length
    public async Task Reference_argon2_tool_hashes_verify_with_the_libsodium_provider(string salt, int memoryKiB, int iterations, int parallelism)
    {
        var (exitCode, output) = await Argon2Cli(salt, memoryKiB, iterations, parallelism);
        Assert.True(exitCode == 0, output);
        var encoded = output.Trim();

        using var sodium = new SodiumArgon2PasswordHasher();
        Assert.True(sodium.CanVerify(encoded));
        Assert.True(sodium.Verify(Encoding.UTF8.GetBytes(Password), encoded));
        Assert.False(sodium.Verify("Tr0ub4dor&3"u8, encoded));
        Assert.Equal(memoryKiB < 19456 || iterations < 2, sodium.NeedsRehash(encoded));
    }

    [Fact]
    public async Task The_libsodium_provider_writes_the_reference_tools_string_for_the_same_salt()
    {
        const string salt = "alchemy-salt-16b";
        var (exitCode, output) = await Argon2Cli(salt, 19456, 2, 1);
        Assert.True(exitCode == 0, output);

        using var sodium = new SodiumArgon2PasswordHasher();
        Assert.Equal(output.Trim(), sodium.HashWithSalt(Encoding.UTF8.GetBytes(Password), Encoding.ASCII.GetBytes(salt)));
    }

    [Fact]
    public void Debian_libsodium_and_the_libsodium_provider_verify_each_others_hashes()
    {
        using var sodium = new SodiumArgon2PasswordHasher();
        var ours = sodium.Hash(Encoding.UTF8.GetBytes(Password));
        Assert.Matches(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", ours);
        Assert.True(ReferenceTools.SodiumVerify(ours, Password));
        Assert.False(ReferenceTools.SodiumVerify(ours, "wrong"));

        var theirs = ReferenceTools.SodiumHash(Password, 19456, 2);
        Assert.True(sodium.Verify(Encoding.UTF8.GetBytes(Password), theirs));
        Assert.False(sodium.Verify("wrong"u8, theirs));
        Assert.False(sodium.NeedsRehash(theirs));
    }

    [Theory]
    [InlineData(19456, 2, 1, 16, 32)]
    [InlineData(8192, 1, 2, 16, 32)]
    [InlineData(4096, 2, 1, 32, 32)]
    [InlineData(4096, 1, 1, 16, 16)]
    public void The_two_argon2_providers_verify_each_others_hashes(int memoryKiB, int iterations, int parallelism, int saltLength, int hashLength)
    {
        using var konscious = new Argon2PasswordHasher(new Argon2Options
        {
            MemorySizeKiB = memoryKiB, Iterations = iterations, Parallelism = parallelism, SaltLength = saltLength, HashLength = hashLength,
        });
        using var sodium = new SodiumArgon2PasswordHasher(
            new SodiumArgon2Options { MemorySizeKiB = memoryKiB, Iterations = iterations, HashLength = hashLength });
        var password = Encoding.UTF8.GetBytes(Password);

        var fromKonscious = konscious.Hash(password);
        Assert.True(sodium.CanVerify(fromKonscious));
        Assert.True(sodium.Verify(password, fromKonscious));
        Assert.False(sodium.Verify("wrong"u8, fromKonscious));

        var fromSodium = sodium.Hash(password);
        Assert.True(konscious.Verify(password, fromSodium));
        Assert.False(konscious.Verify("wrong"u8, fromSodium));
        Assert.Equal(parallelism > 1 || saltLength > 16, konscious.NeedsRehash(fromSodium));
    }

    [Fact]
    public async Task Argon2i_and_hashes_libsodium_cannot_compute_are_left_to_the_konscious_provider()
    {
        var (exitCode, output) = await ReferenceTools.RunAsync("argon2", "argon2", ["somesaltvalue123", "-i", "-k", "4096", "-t", "2", "-e"], Password);
        Assert.True(exitCode == 0, output);
        var argon2i = output.Trim();

        using var konscious = new Argon2PasswordHasher(
            new Argon2Options { MemorySizeKiB = 4096, Iterations = 1, SaltLength = 64, HashLength = 64, Parallelism = 2 });
        var long64 = konscious.Hash(Encoding.UTF8.GetBytes(Password));

        using var sodium = new SodiumArgon2PasswordHasher();
        Assert.False(sodium.CanVerify(argon2i));
        Assert.False(sodium.CanVerify(long64));

        // Registered together, the registry hands them to the Konscious provider and the user is upgraded to libsodium's hash.
        var registry = new AlchemyTypes.Passwords.Internal.PasswordHasherRegistry([sodium, konscious], sodium);
        foreach (var stored in new[] { argon2i, long64 })
        {
            var hash = PasswordHash.Loaded(stored, registry);
            var result = hash.VerifyAndUpgrade(Password);
            Assert.True(result.Valid);
            Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", result.NewHash!.EncodedHash, StringComparison.Ordinal);
        }
    }
}
