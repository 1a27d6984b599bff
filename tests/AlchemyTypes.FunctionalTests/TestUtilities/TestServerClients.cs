using Amazon.Runtime;
using Amazon.S3;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// The one place that knows how to talk to the storage test servers: the S3 client settings s3rver needs (and MinIO or AWS
/// accept), s3rver's default credentials, and Azurite's development account. Used by the fixtures, the fault tests (which
/// start servers of their own), the benchmarks and the memory probe.
/// </summary>
public static class TestServerClients
{
    /// <summary>
    /// How long a test server may take to listen. Azurite alone takes close to 30 s on a loaded 2-core machine (measured at
    /// a load average of 45), so 30 s failed whole classes for no fault of theirs.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>s3rver's built-in access key (and secret key).</summary>
    public const string S3rverKey = "S3RVER";

    /// <summary>Azurite's documented development account; it exists only inside the emulator.</summary>
    public const string AzuriteAccount = "devstoreaccount1";

    /// <summary>Azurite's documented development key; it exists only inside the emulator.</summary>
    public const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The connection string of an Azurite on 127.0.0.1:<paramref name="port"/>.</summary>
    public static string AzuriteConnectionString(int port)
        => $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{port}/{AzuriteAccount};";

    /// <summary>A client of an s3rver on 127.0.0.1:<paramref name="port"/>; <paramref name="configure"/> adjusts its settings.</summary>
    public static AmazonS3Client S3rver(int port, Action<AmazonS3Config>? configure = null)
        => S3($"http://127.0.0.1:{port}", S3rverKey, S3rverKey, "us-east-1", configure);

    /// <summary>
    /// A path-style client (s3rver and MinIO need it) that sends checksums only where S3 requires them (s3rver does not
    /// decode aws-chunked bodies with trailing checksums); <paramref name="configure"/> adjusts its settings.
    /// </summary>
    public static AmazonS3Client S3(string serviceUrl, string accessKey, string secretKey, string region, Action<AmazonS3Config>? configure = null)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = serviceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = region,
            UseHttp = serviceUrl.StartsWith("http:", StringComparison.Ordinal),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        configure?.Invoke(config);
        return new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), config);
    }
}
