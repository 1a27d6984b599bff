namespace AlchemyTypes.Argon2;

/// <summary>
/// The parameters of new Argon2id hashes and the limits of verification. Defaults follow OWASP's password storage
/// cheat sheet: m = 19 MiB, t = 2, p = 1, 16-byte salt, 32-byte hash.
/// </summary>
public sealed class Argon2Options
{
    /// <summary>Memory per hash in KiB (default 19,456 = 19 MiB). At least 8 × <see cref="Parallelism"/>.</summary>
    public int MemorySizeKiB { get; set; } = 19 * 1024;

    /// <summary>Passes over memory (default 2).</summary>
    public int Iterations { get; set; } = 2;

    /// <summary>Lanes (default 1).</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Salt length in bytes (default 16; at least 8).</summary>
    public int SaltLength { get; set; } = 16;

    /// <summary>Hash length in bytes (default 32; at least 16).</summary>
    public int HashLength { get; set; } = 32;

    /// <summary>
    /// How many Argon2 computations (hashes and verifications) may run at once in this hasher; others wait (asynchronously
    /// in the async APIs). Each takes <see cref="MemorySizeKiB"/> of memory, so this bounds the memory used by logins.
    /// Default: the number of processors.
    /// </summary>
    public int MaxConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// The largest memory parameter accepted in a stored hash (default 1 GiB). A hash asking for more fails verification
    /// instead of letting a hostile row exhaust memory.
    /// </summary>
    public int MaxVerifyMemorySizeKiB { get; set; } = 1024 * 1024;

    /// <summary>The largest iteration count accepted in a stored hash (default 64).</summary>
    public int MaxVerifyIterations { get; set; } = 64;
}
