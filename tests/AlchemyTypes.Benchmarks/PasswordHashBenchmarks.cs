using System.Runtime.InteropServices;
using System.Text;
using AlchemyTypes.Argon2;
using AlchemyTypes.BCrypt;
using BenchmarkDotNet.Attributes;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// One password hash at production parameters, as ratios to libsodium's native Argon2id (the reference; Debian package
/// libsodium23): the Konscious-based Argon2id hasher at OWASP parameters (m = 19 MiB, t = 2, p = 1) and BCrypt cost 12.
/// </summary>
[MemoryDiagnoser]
public class PasswordHashBenchmarks
{
    private const string LibSodium = "libsodium.so.23";
    private static readonly byte[] Password = Encoding.UTF8.GetBytes("correct horse battery staple");
    private readonly byte[] _output = new byte[128];
    private Argon2PasswordHasher _argon2 = null!;
    private BCryptPasswordHasher _bcrypt = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (!NativeLibrary.TryLoad(LibSodium, out _) || sodium_init() < 0)
        {
            throw new InvalidOperationException($"The native reference {LibSodium} is missing: apt-get install libsodium23 (./build.sh test installs it).");
        }

        _argon2 = new Argon2PasswordHasher();
        _bcrypt = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 12 });
    }

    [GlobalCleanup]
    public void Cleanup() => _argon2.Dispose();

    [Benchmark(Baseline = true)]
    public int Argon2idLibsodiumNative()
        => crypto_pwhash_str(_output, Password, (ulong)Password.Length, 2, 19 * 1024 * 1024);

    [Benchmark]
    public string Argon2idKonscious() => _argon2.Hash(Password);

    [Benchmark]
    public string BCryptCost12() => _bcrypt.Hash(Password);

    [DllImport(LibSodium)]
    private static extern int sodium_init();

    [DllImport(LibSodium)]
    private static extern int crypto_pwhash_str(byte[] output, byte[] password, ulong passwordLength, ulong opsLimit, nuint memLimit);
}
