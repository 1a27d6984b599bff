namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>An invariant of the model-based test failed; the message holds the invariant, the details and what ran.</summary>
public sealed class ModelViolationException(int invariant, int step, string message) : Exception(message)
{
    /// <summary>Which invariant (1, 2 or 3; see <see cref="ModelRunner"/>).</summary>
    public int Invariant { get; } = invariant;

    /// <summary>The step after which it failed (one past the last step for the end-of-sequence check).</summary>
    public int Step { get; } = step;
}
