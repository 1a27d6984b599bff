using System.Runtime.InteropServices;
using System.Text;
using AlchemyTypes.Argon2;
using AlchemyTypes.Argon2.Sodium;
using AlchemyTypes.BCrypt;
using BenchmarkDotNet.Attributes;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// One password hash at production parameters (Argon2id m = 19 MiB, t = 2, p = 1; BCrypt cost 12), as ratios to the raw
/// libsodium function the libsodium provider calls (<c>crypto_pwhash</c> of the libsodium NuGet package that Geralt
/// ships, same salt length and output length, no encoding): the libsodium provider (issue 14's goal: at most 1.10x, no
/// managed allocation of the memory matrix), the Konscious provider, Debian's libsodium <c>crypto_pwhash_str</c> (the
/// reference the first measurements used) and BCrypt cost 12.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class PasswordHashBenchmarks
{
    private const string DebianLibSodium = "libsodium.so.23";
    private const string BundledLibSodium = "libsodium";
    private const int MemoryBytes = 19 * 1024 * 1024;
    private static readonly byte[] Password = Encoding.UTF8.GetBytes("correct horse battery staple");
    private readonly byte[] _salt = new byte[16];
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _output = new byte[128];
    private Argon2PasswordHasher _konscious = null!;
    private SodiumArgon2PasswordHasher _sodium = null!;
    private BCryptPasswordHasher _bcrypt = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (!NativeLibrary.TryLoad(DebianLibSodium, out _) || DebianSodiumInit() < 0)
        {
            throw new InvalidOperationException(
                $"The native reference {DebianLibSodium} is missing: apt-get install libsodium23 (./build.sh test installs it).");
        }

        if (BundledSodiumInit() < 0)
        {
            throw new InvalidOperationException("sodium_init() of the libsodium NuGet package failed.");
        }

        _konscious = new Argon2PasswordHasher();
        _sodium = new SodiumArgon2PasswordHasher();
        _bcrypt = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 12 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _konscious.Dispose();
        _sodium.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Argon2idLibsodiumRaw()
        => crypto_pwhash(_key, (ulong)_key.Length, Password, (ulong)Password.Length, _salt, 2, MemoryBytes, Argon2id13);

    [Benchmark]
    public string Argon2idSodiumProvider() => _sodium.Hash(Password);

    [Benchmark]
    public string Argon2idKonsciousProvider() => _konscious.Hash(Password);

    [Benchmark]
    public int Argon2idDebianLibsodiumStr()
        => crypto_pwhash_str(_output, Password, (ulong)Password.Length, 2, MemoryBytes);

    [Benchmark]
    public string BCryptCost12() => _bcrypt.Hash(Password);

    private const int Argon2id13 = 2;

    [DllImport(DebianLibSodium, EntryPoint = "sodium_init")]
    private static extern int DebianSodiumInit();

    [DllImport(DebianLibSodium)]
    private static extern int crypto_pwhash_str(byte[] output, byte[] password, ulong passwordLength, ulong opsLimit, nuint memLimit);

    [DllImport(BundledLibSodium, EntryPoint = "sodium_init")]
    private static extern int BundledSodiumInit();

    [DllImport(BundledLibSodium)]
    private static extern int crypto_pwhash(
        byte[] output, ulong outputLength, byte[] password, ulong passwordLength, byte[] salt, ulong opsLimit, nuint memLimit, int algorithm);
}
