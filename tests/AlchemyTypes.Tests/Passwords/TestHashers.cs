using AlchemyTypes.Argon2;
using AlchemyTypes.BCrypt;
using AlchemyTypes.Passwords;
using AlchemyTypes.Passwords.Internal;

namespace AlchemyTypes.Tests.Passwords;

/// <summary>Real hashers with cheap parameters, so the unit tests stay quick; OWASP parameters are exercised in the functional and interop tests.</summary>
internal static class TestHashers
{
    public static Argon2PasswordHasher Argon2(int memoryKiB = 1024, int iterations = 1, int maxConcurrency = 4)
        => new(new Argon2Options { MemorySizeKiB = memoryKiB, Iterations = iterations, MaxConcurrency = maxConcurrency });

    public static BCryptPasswordHasher BCrypt(int cost = 4) => new(new BCryptOptions { WorkFactor = cost });

    public static PasswordHasherRegistry Registry(IPasswordHasher current, params IPasswordHasher[] others)
        => new([current, .. others], current);

    public static PasswordHash Hashed(PasswordHasherRegistry registry, string password)
    {
        var hash = PasswordHash.FromPassword(password);
        hash.Complete(registry);
        return hash;
    }
}
