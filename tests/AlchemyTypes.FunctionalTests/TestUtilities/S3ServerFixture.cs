using System.Data.Common;
using Amazon.S3;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// An S3-compatible server for the functional tests. With <see cref="TestEnvironment.S3Variable"/> set
/// (<c>ServiceUrl=…;AccessKey=…;SecretKey=…;Region=…</c>) that server is used (MinIO, AWS); otherwise s3rver from npm is
/// started on a free 127.0.0.1 port with a throw-away data folder, and stopped when the tests end.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private string? _dataDirectory;

    public string ServiceUrl { get; private set; } = "";

    public string AccessKey { get; private set; } = TestServerClients.S3rverKey;

    public string SecretKey { get; private set; } = TestServerClients.S3rverKey;

    public string Region { get; private set; } = "us-east-1";

    public bool IsExternal { get; private set; }

    public async Task InitializeAsync()
    {
        var external = TestEnvironment.Get(TestEnvironment.S3Variable);
        if (external is not null)
        {
            var settings = new DbConnectionStringBuilder { ConnectionString = external };
            ServiceUrl = Require(settings, "ServiceUrl");
            AccessKey = Require(settings, "AccessKey");
            SecretKey = Require(settings, "SecretKey");
            Region = settings.TryGetValue("Region", out var region) ? (string)region : Region;
            IsExternal = true;
            return;
        }

        var port = TestEnvironment.GetFreePort();
        _dataDirectory = TestEnvironment.CreateTempDirectory("alchemytypes-s3rver");
        _server = NodeServer.Start("s3rver", "s3rver", "bin/s3rver.js", ["-d", _dataDirectory, "-a", "127.0.0.1", "-p",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"]);
        await _server.WaitForPortAsync(port, TestServerClients.StartTimeout, NodeServer.HowToInstall("s3rver"));
        ServiceUrl = $"http://127.0.0.1:{port}";
    }

    /// <summary>A client for the server, path-style (s3rver and MinIO need it).</summary>
    public IAmazonS3 CreateClient(Action<AmazonS3Config>? configure = null) => TestServerClients.S3(ServiceUrl, AccessKey, SecretKey, Region, configure);

    /// <summary>A bucket name no other test uses.</summary>
    /// <summary>
    /// Lets browsers on <paramref name="origin"/> upload to (PUT) and read (GET, HEAD) <paramref name="bucket"/> directly: a bucket
    /// CORS rule (PutBucketCors, which s3rver implements) allowing any request header and exposing ETag.
    /// </summary>
    public static async Task AllowBrowserUploadsAsync(IAmazonS3 client, string bucket, string origin)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.PutCORSConfigurationAsync(new Amazon.S3.Model.PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new Amazon.S3.Model.CORSConfiguration
            {
                Rules =
                [
                    new Amazon.S3.Model.CORSRule
                    {
                        AllowedOrigins = [origin], AllowedMethods = ["PUT", "GET", "HEAD"], AllowedHeaders = ["*"], ExposeHeaders = ["ETag"],
                        MaxAgeSeconds = 600,
                    },
                ],
            },
        });
    }

    public static string NewBucketName() => $"alchemy-{Guid.NewGuid():N}"[..40];

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

    private static string Require(DbConnectionStringBuilder settings, string key)
        => settings.TryGetValue(key, out var value) && value is string text && text.Length > 0
            ? text
            : throw new InvalidOperationException($"{TestEnvironment.S3Variable} has no {key}=…; expected ServiceUrl=…;AccessKey=…;SecretKey=…;Region=….");
}

[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3ServerFixture>
{
    public const string Name = "S3";
}
