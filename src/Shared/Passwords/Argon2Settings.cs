namespace AlchemyTypes.Shared.Passwords;

/// <summary>
/// The validated configuration of an Argon2 provider: the parameters of new hashes and the limits every stored hash must
/// stay within to be verified. Shared (linked source) by the Argon2 provider packages; a value type, so two hashers with
/// equal settings are equal.
/// </summary>
internal sealed record Argon2Settings(
    int MemorySizeKiB,
    int Iterations,
    int Parallelism,
    int SaltLength,
    int HashLength,
    int MaxConcurrency,
    long MemoryBudgetKiB,
    int MaxVerifyMemorySizeKiB,
    int MaxVerifyIterations,
    int MaxVerifyParallelism)
{
    /// <summary>Default for <c>MaxVerifyMemorySizeKiB</c>: 256 MiB, five times the largest OWASP configuration (46 MiB).</summary>
    public const int DefaultMaxVerifyMemorySizeKiB = 256 * 1024;

    /// <summary>Default for <c>MaxVerifyIterations</c>.</summary>
    public const int DefaultMaxVerifyIterations = 16;

    /// <summary>Default for <c>MaxVerifyParallelism</c>.</summary>
    public const int DefaultMaxVerifyParallelism = 8;

    /// <summary>
    /// Validates the options and fills in the default memory budget: enough for <paramref name="maxConcurrency"/> hashes
    /// at the configured memory, and never less than the largest hash verification accepts.
    /// </summary>
    /// <exception cref="AlchemyTypesConfigurationException">A value is out of range; the message names it and the fix.</exception>
    public static Argon2Settings Create(
        int memorySizeKiB,
        int iterations,
        int parallelism,
        int saltLength,
        int hashLength,
        int maxConcurrency,
        long? memoryBudgetKiB,
        int maxVerifyMemorySizeKiB,
        int maxVerifyIterations,
        int maxVerifyParallelism)
    {
        Check(parallelism is >= 1 and <= Argon2PhcString.MaxParallelism, "Parallelism must be 1 to 255.");
        Check(memorySizeKiB >= 8 * parallelism, "MemorySizeKiB must be at least 8 × Parallelism (OWASP recommends 19456).");
        Check(iterations >= 1, "Iterations must be at least 1 (OWASP recommends 2 with 19 MiB).");
        Check(
            saltLength is >= Argon2PhcString.MinSaltLength and <= Argon2PhcString.MaxSaltLength,
            "SaltLength must be 8 to 64 bytes (16 recommended).");
        Check(
            hashLength is >= Argon2PhcString.MinHashLength and <= Argon2PhcString.MaxHashLength,
            "HashLength must be 16 to 128 bytes (32 recommended).");
        Check(maxConcurrency >= 1, "MaxConcurrency must be at least 1.");
        Check(maxVerifyMemorySizeKiB >= memorySizeKiB, "MaxVerifyMemorySizeKiB must be at least MemorySizeKiB.");
        Check(maxVerifyIterations >= iterations, "MaxVerifyIterations must be at least Iterations.");
        Check(
            maxVerifyParallelism >= parallelism && maxVerifyParallelism <= Argon2PhcString.MaxParallelism,
            "MaxVerifyParallelism must be at least Parallelism and at most 255.");

        var budget = memoryBudgetKiB ?? Math.Max((long)maxConcurrency * memorySizeKiB, maxVerifyMemorySizeKiB);
        Check(
            budget >= maxVerifyMemorySizeKiB,
            "MemoryBudgetKiB must be at least MaxVerifyMemorySizeKiB, so that every hash verification accepts can run; "
            + "lower MaxVerifyMemorySizeKiB or raise the budget.");
        return new Argon2Settings(
            memorySizeKiB, iterations, parallelism, saltLength, hashLength, maxConcurrency, budget,
            maxVerifyMemorySizeKiB, maxVerifyIterations, maxVerifyParallelism);
    }

    /// <summary>
    /// Whether a stored hash stays within the verification limits: memory, iterations and lanes (the salt and hash lengths
    /// and the version are bounded by the parser). A hash beyond them is never computed.
    /// </summary>
    public bool Admits(Argon2PhcString hash)
        => hash.MemorySizeKiB <= MaxVerifyMemorySizeKiB
            && hash.Iterations <= MaxVerifyIterations
            && hash.Parallelism <= MaxVerifyParallelism;

    /// <summary>Whether a stored hash should be replaced: another variant, or weaker parameters than those of new hashes.</summary>
    public bool IsWeakerThanNew(Argon2PhcString hash)
        => hash.Type != "argon2id"
            || hash.MemorySizeKiB < MemorySizeKiB
            || hash.Iterations < Iterations
            || hash.Parallelism < Parallelism
            || hash.Salt.Length < SaltLength
            || hash.Hash.Length < HashLength;

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new AlchemyTypesConfigurationException("Invalid Argon2 options: " + message);
        }
    }
}
