namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>An invariant of the model-based test failed; the message holds the invariant, the details and what ran.</summary>
public sealed class ModelViolationException(int invariant, string message) : Exception(message)
{
    public int Invariant { get; } = invariant;
}
