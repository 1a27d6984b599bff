namespace AlchemyTypes.Argon2.Sodium;

/// <summary>
/// The parameters of new Argon2id hashes made with libsodium and the limits of verification. Defaults follow OWASP's
/// password storage cheat sheet: m = 19 MiB, t = 2. New hashes always have one lane and a 16-byte salt (what libsodium's
/// <c>crypto_pwhash</c> computes); stored hashes with more lanes or other salt lengths still verify.
/// </summary>
public sealed class SodiumArgon2Options
{
    /// <summary>Memory per hash in KiB (default 19,456 = 19 MiB; at least 8).</summary>
    public int MemorySizeKiB { get; set; } = 19 * 1024;

    /// <summary>Passes over memory (default 2).</summary>
    public int Iterations { get; set; } = 2;

    /// <summary>Hash length in bytes (default 32; 16 to 128).</summary>
    public int HashLength { get; set; } = 32;

    /// <summary>
    /// How many Argon2 computations (hashes and verifications) may run at once in this hasher; others wait (asynchronously
    /// in the async APIs). Default: the number of processors.
    /// </summary>
    public int MaxConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// The total memory, in KiB, that the Argon2 computations of this hasher may use at once, whatever the stored hashes
    /// ask for; a computation that does not fit waits its turn (first come, first served). Default (null):
    /// <see cref="MaxConcurrency"/> × <see cref="MemorySizeKiB"/>, and at least <see cref="MaxVerifyMemorySizeKiB"/>.
    /// Must be at least <see cref="MaxVerifyMemorySizeKiB"/>.
    /// </summary>
    public long? MemoryBudgetKiB { get; set; }

    /// <summary>
    /// The largest memory parameter (<c>m</c>, KiB) accepted in a stored hash (default 256 MiB; at most 2,097,151). A hash
    /// asking for more fails verification (and needs a rehash) without being computed.
    /// </summary>
    public int MaxVerifyMemorySizeKiB { get; set; } = 256 * 1024;

    /// <summary>The largest iteration count (<c>t</c>) accepted in a stored hash (default 16).</summary>
    public int MaxVerifyIterations { get; set; } = 16;

    /// <summary>The largest number of lanes (<c>p</c>) accepted in a stored hash (default 8).</summary>
    public int MaxVerifyParallelism { get; set; } = 8;
}
