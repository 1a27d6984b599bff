using System.Globalization;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Storage.Blobs;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// s3rver or Azurite for one benchmark process, on a free 127.0.0.1 port with a throw-away data folder (the same
/// servers, started the same way, as the functional tests' fixtures).
/// </summary>
public sealed class BenchmarkServer : IAsyncDisposable
{
    // Azurite's documented development account; it exists only inside the emulator.
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

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
        var process = NodeServer.Start("s3rver", "s3rver", "bin/s3rver.js", ["-d", data, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--silent"]);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(30), NodeServer.HowToInstall("s3rver"));
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
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", data, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"]);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(30), NodeServer.HowToInstall("azurite"));
        return new BenchmarkServer(process, data, port);
    }

    public IAmazonS3 CreateS3Client()
        => new AmazonS3Client(
            new BasicAWSCredentials("S3RVER", "S3RVER"),
            new AmazonS3Config
            {
                ServiceURL = $"http://127.0.0.1:{Port}",
                ForcePathStyle = true,
                UseHttp = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });

    public BlobServiceClient CreateBlobServiceClient()
        => new($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentKey};BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;");

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
