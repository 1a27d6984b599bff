namespace AlchemyTypes;

/// <summary>The parameters of <see cref="AspNetCoreIdentityPasswordHasher"/>: what it writes, and the limits of what it verifies.</summary>
public sealed class AspNetCoreIdentityHashOptions
{
    /// <summary>
    /// PBKDF2 iterations of the V3 hashes it writes, and the fewest a V3 hash may have without needing a rehash
    /// (default 100,000, ASP.NET Core Identity's own default since .NET 7).
    /// </summary>
    public int Iterations { get; set; } = 100_000;

    /// <summary>
    /// The largest iteration count accepted in a stored V3 hash (default 1,000,000). A hash asking for more fails
    /// verification without being computed, so a hostile row cannot make one login take minutes of CPU.
    /// </summary>
    public int MaxVerifyIterations { get; set; } = 1_000_000;
}
