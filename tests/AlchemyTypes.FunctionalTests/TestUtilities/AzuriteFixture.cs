using Azure.Storage.Blobs;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// An Azure Blob Storage endpoint for the functional tests. With <see cref="TestEnvironment.AzureBlobVariable"/> set to a
/// connection string, that account is used; otherwise Azurite from npm is started (with --disableTelemetry) on a free
/// 127.0.0.1 port with a throw-away data folder, and stopped when the tests end.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private string? _dataDirectory;

    public string ConnectionString { get; private set; } = "";

    public bool IsExternal { get; private set; }

    public async Task InitializeAsync()
    {
        var external = TestEnvironment.Get(TestEnvironment.AzureBlobVariable);
        if (external is not null)
        {
            ConnectionString = external;
            IsExternal = true;
            return;
        }

        var port = TestEnvironment.GetFreePort();
        _dataDirectory = TestEnvironment.CreateTempDirectory("alchemytypes-azurite");
        _server = NodeServer.Start(
            "Azurite",
            "azurite",
            "dist/src/blob/main.js",
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location",
                _dataDirectory, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"]);
        await _server.WaitForPortAsync(port, TestServerClients.StartTimeout, NodeServer.HowToInstall("azurite"));
        ConnectionString = TestServerClients.AzuriteConnectionString(port);
    }

    public BlobServiceClient CreateServiceClient() => new(ConnectionString);

    /// <summary>A container name no other test uses.</summary>
    /// <summary>
    /// Lets browsers on <paramref name="origin"/> upload to (PUT) and read (GET, HEAD) blobs directly: a Blob service CORS rule
    /// (SetProperties) allowing any request header and exposing ETag. Service-wide, like Azure's own CORS settings.
    /// </summary>
    public async Task AllowBrowserUploadsAsync(string origin)
    {
        var service = CreateServiceClient();
        var properties = (await service.GetPropertiesAsync()).Value;
        properties.Cors =
        [
            new Azure.Storage.Blobs.Models.BlobCorsRule
            {
                AllowedOrigins = origin, AllowedMethods = "PUT,GET,HEAD", AllowedHeaders = "*", ExposedHeaders = "ETag", MaxAgeInSeconds = 600,
            },
        ];
        await service.SetPropertiesAsync(properties);
    }

    public static string NewContainerName() => $"alchemy-{Guid.NewGuid():N}";

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
