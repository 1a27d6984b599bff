namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>The model-based test's report: CsCheck's seed line, the shrunk sequence and what it did when it failed.</summary>
public sealed class ModelFailureException(string message, Exception inner) : Exception(message, inner);
