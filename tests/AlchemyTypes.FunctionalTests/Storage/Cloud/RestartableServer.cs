using System.Globalization;
using AlchemyTypes.FunctionalTests.TestUtilities;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>
/// A storage server (s3rver or Azurite) of its own for fault tests: it can be killed mid-request and started again on the
/// same port with the same data folder, as a crashed and restarted server would be. Always local: killing a shared or
/// external server is not something a test may do.
/// </summary>
public sealed class RestartableServer : IAsyncDisposable
{
    private readonly string _name;
    private readonly string _package;
    private readonly string _script;
    private readonly Func<int, string, string[]> _arguments;
    private ServerProcess? _process;

    private RestartableServer(string name, string package, string script, Func<int, string, string[]> arguments)
    {
        _name = name;
        _package = package;
        _script = script;
        _arguments = arguments;
        Port = TestEnvironment.GetFreePort();
        DataDirectory = TestEnvironment.CreateTempDirectory($"alchemytypes-{package}-fault");
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public static Task<RestartableServer> StartS3rverAsync()
        => StartAsync(new RestartableServer("s3rver", "s3rver", "bin/s3rver.js", (port, dir) => ["-d", dir, "-a", "127.0.0.1", "-p", Text(port), "--silent"]));

    public static Task<RestartableServer> StartAzuriteAsync()
        => StartAsync(new RestartableServer(
            "Azurite",
            "azurite",
            "dist/src/blob/main.js",
            (port, dir) => ["--blobHost", "127.0.0.1", "--blobPort", Text(port), "--location", dir, "--silent", "--disableTelemetry",
                "--skipApiVersionCheck", "--loose"]));

    /// <summary>
    /// Waits until the server's data folder mentions <paramref name="text"/> (Azurite saves its metadata every 5 seconds),
    /// so that a kill after it loses nothing the server had acknowledged before.
    /// </summary>
    public void WaitUntilPersisted(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var file in Directory.EnumerateFiles(DataDirectory, "*.json"))
            {
                try
                {
                    if (File.ReadAllText(file).Contains(text, StringComparison.Ordinal))
                    {
                        return;
                    }
                }
                catch (IOException)
                {
                    // Being rewritten; look again.
                }
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException($"{_name} did not save '{text}' to {DataDirectory} within 30 s.");
    }

    /// <summary>Kills the server process at once (no graceful shutdown), and waits until it is gone.</summary>
    public void Kill()
    {
        var process = _process;
        _process = null;
        process?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Starts the server again on the same port and data folder.</summary>
    public async Task StartAsync()
    {
        _process = NodeServer.Start(_name, _package, _script, _arguments(Port, DataDirectory));
        await _process.WaitForPortAsync(Port, TestServerClients.StartTimeout, NodeServer.HowToInstall(_package));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying process; the temp folder is cleaned by the OS.
        }
    }

    private static async Task<RestartableServer> StartAsync(RestartableServer server)
    {
        await server.StartAsync();
        return server;
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
