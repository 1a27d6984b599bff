namespace AlchemyTypes.BCrypt;

/// <summary>The parameters of new BCrypt hashes.</summary>
public sealed class BCryptOptions
{
    /// <summary>The cost (log2 of the rounds), 4 to 31; default 12 (OWASP asks for at least 10).</summary>
    public int WorkFactor { get; set; } = 12;
}
