using System.Globalization;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// How long the randomized tests run. CI runs a fixed time per database/backend; <c>ALCHEMYTYPES_SOAK=minutes</c> turns every
/// model-based test and the concurrency soak into a long soak of that many minutes each.
/// </summary>
public static class ModelBudget
{
    public const string SoakVariable = "ALCHEMYTYPES_SOAK";

    /// <summary>The soak length in minutes, or null for the CI budget.</summary>
    public static double? SoakMinutes
        => TestUtilities.TestEnvironment.Get(SoakVariable) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0
                ? minutes
                : throw new InvalidOperationException($"{SoakVariable} must be a number of minutes (e.g. {SoakVariable}=30), not '{text}'.")
            : null;

    /// <summary>Seconds for one model-based test: <paramref name="ciSeconds"/> in CI, the soak length otherwise.</summary>
    public static int Seconds(int ciSeconds) => SoakMinutes is { } minutes ? (int)Math.Ceiling(minutes * 60) : ciSeconds;
}
