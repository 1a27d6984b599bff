using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// Independent implementations used to prove interoperability: the reference <c>argon2</c> command-line tool (Debian
/// package argon2), Apache's <c>htpasswd</c> (apache2-utils) and libsodium (libsodium23). A missing tool fails the
/// test with the way to install it; <c>./build.sh test</c> installs all three.
/// </summary>
public static class ReferenceTools
{
    private const string LibSodium = "libsodium.so.23";

    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, string debianPackage, IEnumerable<string> arguments,
        string? standardInput = null)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"The reference tool '{tool}' is not installed; interoperability tests need it. Install it with 'apt-get install "
                    + $"{debianPackage}'. {TestEnvironment.HowToRunEverything}");

        var startInfo = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>libsodium's <c>crypto_pwhash_str</c> (Argon2id): memory in KiB, iterations; one lane.</summary>
    public static string SodiumHash(string password, int memoryKiB, int iterations)
    {
        EnsureSodium();
        var output = new byte[128];
        var bytes = Encoding.UTF8.GetBytes(password);
        var rc = crypto_pwhash_str(output, bytes, (ulong)bytes.Length, (ulong)iterations, (nuint)(memoryKiB * 1024L));
        Assert.Equal(0, rc);
        return Encoding.ASCII.GetString(output, 0, Array.IndexOf(output, (byte)0));
    }

    /// <summary>libsodium's <c>crypto_pwhash_str_verify</c>.</summary>
    public static bool SodiumVerify(string encoded, string password)
    {
        EnsureSodium();
        var hash = Encoding.ASCII.GetBytes(encoded + "\0");
        var bytes = Encoding.UTF8.GetBytes(password);
        return crypto_pwhash_str_verify(hash, bytes, (ulong)bytes.Length) == 0;
    }

    private static void EnsureSodium()
    {
        if (!NativeLibrary.TryLoad(LibSodium, out _))
        {
            throw new InvalidOperationException(
                $"libsodium ({LibSodium}) is not installed; the Argon2 interoperability tests need it. Install it with 'apt-get install "
                    + $"libsodium23'. {TestEnvironment.HowToRunEverything}");
        }

        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("sodium_init() failed.");
        }
    }

    [DllImport(LibSodium)]
    private static extern int sodium_init();

    [DllImport(LibSodium)]
    private static extern int crypto_pwhash_str(byte[] output, byte[] password, ulong passwordLength, ulong opsLimit, nuint memLimit);

    [DllImport(LibSodium)]
    private static extern int crypto_pwhash_str_verify(byte[] hash, byte[] password, ulong passwordLength);
}
