using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Util;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AlchemyTypes.Sample;

/// <summary>
/// In Development, with <c>Storage:CreateIfMissing=true</c>: creates the S3 bucket or Azure container of every configured
/// backend that lacks one, and lets the app's origin upload to it from the browser (CORS: PUT, GET, HEAD). In production
/// create both with your infrastructure tooling instead; the setting is ignored there.
/// </summary>
internal static class StorageProvisioning
{
    public const string Setting = "Storage:CreateIfMissing";

    public static async Task EnsureAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var configuration = app.Configuration;
        if (!configuration.GetValue(Setting, false))
        {
            return;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AlchemyTypes.Sample.Storage");
        if (!app.Environment.IsDevelopment())
        {
            logger.LogWarning("{Setting} is ignored outside Development: create buckets, containers and CORS rules with your "
                + "infrastructure tooling.", Setting);
            return;
        }

        var origin = (configuration["PublicUrl"] ?? configuration["Urls"] ?? "http://127.0.0.1:5080").Split(';')[0].TrimEnd('/');
        var registry = app.Services.GetRequiredService<StorageRegistry>();
        foreach (var name in registry.Names)
        {
            try
            {
                switch (registry.Get(name))
                {
                    case S3StorageBackend s3:
                        await EnsureS3Async(configuration.GetSection($"AlchemyTypes:Storage:Backends:{name}"), s3.BucketName, origin, cancellationToken);
                        logger.LogInformation("Storage '{Name}': S3 bucket '{Bucket}' ready, browser uploads allowed from {Origin}.", name, s3.BucketName, origin);
                        break;
                    case AzureBlobStorageBackend azure:
                        await azure.Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                        var service = azure.Container.GetParentBlobServiceClient();
                        var properties = (await service.GetPropertiesAsync(cancellationToken)).Value;
                        properties.Cors =
                        [
                            .. properties.Cors.Where(r => r.AllowedOrigins != origin),
                            new BlobCorsRule
                            {
                                AllowedOrigins = origin, AllowedMethods = "PUT,GET,HEAD", AllowedHeaders = "*", ExposedHeaders = "ETag",
                                MaxAgeInSeconds = 600,
                            },
                        ];
                        await service.SetPropertiesAsync(properties, cancellationToken);
                        logger.LogInformation("Storage '{Name}': Azure container '{Container}' ready, browser uploads allowed from {Origin}.", name,
                            azure.Container.Name, origin);
                        break;
                }
            }
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or Azure.RequestFailedException or HttpRequestException)
            {
                // The app still starts: /health and the error pages say what is wrong.
                logger.LogError(ex, "Storage '{Name}' could not be created ({Setting}): {Message}", name, Setting, ex.Message);
            }
        }
    }

    private static async Task EnsureS3Async(IConfigurationSection section, string bucket, string origin, CancellationToken cancellationToken)
    {
        var config = new AmazonS3Config { ForcePathStyle = section.GetValue("ForcePathStyle", false) };
        if (section["ServiceUrl"] is { Length: > 0 } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.UseHttp = serviceUrl.StartsWith("http:", StringComparison.OrdinalIgnoreCase);
            config.AuthenticationRegion = section["Region"] ?? "us-east-1";
        }
        else if (section["Region"] is { Length: > 0 } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        if (section.GetValue("ChecksumWhenRequired", false))
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        using var client = section["AccessKey"] is { Length: > 0 } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, section["SecretKey"]), config)
            : new AmazonS3Client(config);
        if (!await AmazonS3Util.DoesS3BucketExistV2Async(client, bucket))
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken);
        }

        await client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new CORSConfiguration
            {
                Rules =
                [
                    new CORSRule
                    {
                        AllowedOrigins = [origin], AllowedMethods = ["PUT", "GET", "HEAD"], AllowedHeaders = ["*"], ExposeHeaders = ["ETag"],
                        MaxAgeSeconds = 600,
                    },
                ],
            },
        }, cancellationToken);
    }
}
