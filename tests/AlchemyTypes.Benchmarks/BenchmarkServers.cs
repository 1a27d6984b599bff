using System.Globalization;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Amazon.S3;
using Azure.Storage.Blobs;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// s3rver or Azurite for one benchmark process, on a free 127.0.0.1 port with a throw-away data folder (the same
/// servers, started the same way, as the functional tests' fixtures).
/// </summary>
public sealed class BenchmarkServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _dataDirectory;

    private BenchmarkServer(ServerProcess process, string dataDirectory, int port)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        Port = port;
    }

    public int Port { get; }

    public static async Task<BenchmarkServer> StartS3rverAsync()
    {
        var port = TestEnvironment.GetFreePort();
        var data = TestEnvironment.CreateTempDirectory("alchemytypes-bench-s3rver");
        var process = NodeServer.Start("s3rver", "s3rver", "bin/s3rver.js", ["-d", data, "-a", "127.0.0.1", "-p",
            port.ToString(CultureInfo.InvariantCulture), "--silent"]);
        await process.WaitForPortAsync(port, TestServerClients.StartTimeout, NodeServer.HowToInstall("s3rver"));
        return new BenchmarkServer(process, data, port);
    }

    public static async Task<BenchmarkServer> StartAzuriteAsync()
    {
        var port = TestEnvironment.GetFreePort();
        var data = TestEnvironment.CreateTempDirectory("alchemytypes-bench-azurite");
        var process = NodeServer.Start(
            "Azurite",
            "azurite",
            "dist/src/blob/main.js",
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", data, "--silent",
                "--disableTelemetry", "--skipApiVersionCheck", "--loose"]);
        await process.WaitForPortAsync(port, TestServerClients.StartTimeout, NodeServer.HowToInstall("azurite"));
        return new BenchmarkServer(process, data, port);
    }

    /// <summary>A client of this s3rver, or of it through a relay listening on <paramref name="port"/>.</summary>
    public IAmazonS3 CreateS3Client(int? port = null) => TestServerClients.S3rver(port ?? Port);

    /// <summary>A client of this Azurite, or of it through a relay listening on <paramref name="port"/>.</summary>
    public BlobServiceClient CreateBlobServiceClient(int? port = null)
        => new(TestServerClients.AzuriteConnectionString(port ?? Port));

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp cleanup.
        }
    }
}
