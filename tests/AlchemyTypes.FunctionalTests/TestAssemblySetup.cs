using System.Runtime.CompilerServices;
using AlchemyTypes.Testing;

namespace AlchemyTypes.FunctionalTests;

/// <summary>Runs once when the test assembly loads, before any test.</summary>
internal static class TestAssemblySetup
{
#pragma warning disable CA2255 // A test assembly is an application: setting its time zone at load is the intent.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => TestTimeZone.Apply();
}
