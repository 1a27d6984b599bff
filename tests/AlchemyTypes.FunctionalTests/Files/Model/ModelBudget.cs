using System.Globalization;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// How long the randomized tests run. CI runs a fixed time per database/backend; <c>ALCHEMYTYPES_SOAK=minutes</c> turns every
/// model-based test and the concurrency soak into a long soak of that many minutes each.
/// </summary>
public static class ModelBudget
{
    public const string SoakVariable = "ALCHEMYTYPES_SOAK";

    /// <summary>With <c>ALCHEMYTYPES_MODEL_TRACE=1</c> the test output holds what every run did (for debugging the test itself).</summary>
    public static bool Trace => TestUtilities.TestEnvironment.Get("ALCHEMYTYPES_MODEL_TRACE") == "1";

    /// <summary>The soak length in minutes, or null for the CI budget.</summary>
    public static double? SoakMinutes
        => TestUtilities.TestEnvironment.Get(SoakVariable) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0
                ? minutes
                : throw new InvalidOperationException($"{SoakVariable} must be a number of minutes (e.g. {SoakVariable}=30), not '{text}'.")
            : null;

    /// <summary>How long a failure may be shrunk further (removing steps) after sampling: 30 s in CI, 10 minutes in a soak.</summary>
    public static TimeSpan ShrinkTime => SoakMinutes is null ? TimeSpan.FromSeconds(30) : TimeSpan.FromMinutes(10);

    /// <summary>With <c>ALCHEMYTYPES_MODEL_STALE_WRITERS=1</c> the maintenance model test also generates <see cref="StaleWriter"/> steps.</summary>
    public static bool StaleWriters => TestUtilities.TestEnvironment.Get("ALCHEMYTYPES_MODEL_STALE_WRITERS") == "1";

    /// <summary>Overrides the number of sequences of the count-bounded model tests.</summary>
    public const string SequencesVariable = "ALCHEMYTYPES_MODEL_SEQUENCES";

    /// <summary>
    /// Sequences for a count-bounded model test: <paramref name="ciCount"/> in CI, <c>ALCHEMYTYPES_MODEL_SEQUENCES</c> when set,
    /// else under <c>ALCHEMYTYPES_SOAK</c> as many as fit in the soak's minutes (see <see cref="Seconds"/>).
    /// </summary>
    public static long Sequences(long ciCount)
        => TestUtilities.TestEnvironment.Get(SequencesVariable) is { } text
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count > 0
                ? count
                : throw new InvalidOperationException($"{SequencesVariable} must be a positive number of sequences, not '{text}'.")
            : SoakMinutes is null ? ciCount : long.MaxValue;

    /// <summary>Seconds for one model-based test: <paramref name="ciSeconds"/> in CI, the soak length otherwise.</summary>
    public static int Seconds(int ciSeconds) => SoakMinutes is { } minutes ? (int)Math.Ceiling(minutes * 60) : ciSeconds;
}
