using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.Data.Sqlite;

namespace AlchemyTypes.FunctionalTests.Sample;

/// <summary>
/// The sample web app run as its own process on a free loopback port, with temp folders for its database, files and keys,
/// and whatever configuration a test adds (<c>--Section:Key value</c> pairs).
/// </summary>
internal sealed class SampleApp : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private SampleApp(ServerProcess process, Uri baseAddress, string data)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataFolder = data;
    }

    public Uri BaseAddress { get; }

    public string DataFolder { get; }

    public string FilesRoot => Path.Combine(DataFolder, "files");

    public string Output => _process.Output;

    /// <summary>Replaced in the configuration by the app's origin (<c>http://127.0.0.1:port</c>), for settings such as a BaseUrl.</summary>
    public const string OriginPlaceholder = "{origin}";

    public static async Task<SampleApp> StartAsync(params string[] configuration)
    {
        var dll = AssemblyPath();
        var port = TestEnvironment.GetFreePort();
        var data = TestEnvironment.CreateTempDirectory("alchemytypes-sample");
        var process = ServerProcess.Start(
            "AlchemyTypes.Sample",
            "dotnet",
            [dll, "--urls", $"http://127.0.0.1:{port}",
             "--Database:ConnectionString", $"Data Source={Path.Combine(data, "sample.db")}",
             "--AlchemyTypes:Storage:Backends:files:RootPath", Path.Combine(data, "files"),
             "--AlchemyTypes:Encryption:KeyFile", Path.Combine(data, "keys.json"),
             .. configuration.Select(c => c.Replace(OriginPlaceholder, $"http://127.0.0.1:{port}", StringComparison.Ordinal))],
            Path.GetDirectoryName(dll));
        var app = new SampleApp(process, new Uri($"http://127.0.0.1:{port}"), data);
        try
        {
            await process.WaitForPortAsync(port, TimeSpan.FromSeconds(60), "The sample app is built with the test project; run ./build.sh test.");
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataFolder))
        {
            Directory.Delete(DataFolder, recursive: true);
        }
    }

    private static string AssemblyPath()
    {
        // The test project references the sample, so it is built with the same configuration next to its project.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(TestEnvironment.RepositoryRoot, "samples", "AlchemyTypes.Sample", "bin", configuration, "net10.0", "AlchemyTypes.Sample.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} was not built. {TestEnvironment.HowToRunEverything}");
    }
}
