namespace AlchemyTypes.Testing;

/// <summary>
/// The local time zone the suites run in. Local→UTC conversion is only exercised when the local zone is not UTC, so each
/// test assembly applies <c>ALCHEMYTYPES_TEST_TZ</c> (default <c>Asia/Kolkata</c>) once, at load, before any test runs
/// (whatever <c>TZ</c> the machine or the runner has); tests that need it call <see cref="RequireNonUtc"/>.
/// </summary>
public static class TestTimeZone
{
    /// <summary>The zone the suites run in.</summary>
    public static string Name => Environment.GetEnvironmentVariable("ALCHEMYTYPES_TEST_TZ") is { Length: > 0 } zone ? zone : "Asia/Kolkata";

    /// <summary>Makes <see cref="Name"/> the process's local zone (idempotent; called from each test assembly's module initializer).</summary>
    public static void Apply()
    {
        if (Environment.GetEnvironmentVariable("TZ") != Name)
        {
            Environment.SetEnvironmentVariable("TZ", Name);
            TimeZoneInfo.ClearCachedData();
        }
    }

    /// <summary>Fails (never skips) when the local zone has no offset at <paramref name="at"/>, which would make a Local→UTC test vacuous.</summary>
    /// <param name="at">The local wall-clock time the test converts.</param>
    public static void RequireNonUtc(DateTime at)
    {
        Apply();
        if (TimeZoneInfo.Local.GetUtcOffset(at) == TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"The local time zone ({TimeZoneInfo.Local.Id}) has no offset from UTC at {at:O}, so this Local→UTC test would prove nothing. "
                + "Set ALCHEMYTYPES_TEST_TZ to a zone with an offset (the default is Asia/Kolkata) and install tzdata if the zone is unknown.");
        }
    }
}
