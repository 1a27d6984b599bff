namespace AlchemyTypes.BCrypt;

/// <summary>The parameters of new BCrypt hashes, and the limits of verification.</summary>
public sealed class BCryptOptions
{
    /// <summary>The cost (log2 of the rounds), 4 to 31; default 12 (OWASP asks for at least 10).</summary>
    public int WorkFactor { get; set; } = 12;

    /// <summary>
    /// The highest cost a stored hash may ask for, <see cref="WorkFactor"/> to 31; default 15 (about 8 times the time of cost
    /// 12). A stored hash above it is refused with <c>PasswordHashCostException</c> before anything is computed: each step
    /// doubles the time, and cost 31 would run for days.
    /// </summary>
    public int MaxVerifyWorkFactor { get; set; } = 15;

    /// <summary>
    /// How many hashes and verifications run at once, 1 to 1,024; default the number of processors. The others wait in
    /// turn (cancellably in the async methods).
    /// </summary>
    public int MaxConcurrency { get; set; } = Environment.ProcessorCount;
}
