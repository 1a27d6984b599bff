using AlchemyTypes.Storage.DependencyInjection;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.Storage.S3;

/// <summary>Adds the "S3" backend type to configuration-driven storage registration.</summary>
public static class S3StorageBackendTypesExtensions
{
    /// <summary>The value of <c>Type</c> that selects this backend.</summary>
    public const string TypeName = "S3";

    /// <summary>
    /// Lets configuration select <c>"Type": "S3"</c>. The section binds to <see cref="S3StorageOptions"/> (<c>BucketName</c>,
    /// <c>KeyPrefix</c>, <c>PartSize</c>, …) plus how to reach S3: <c>ServiceUrl</c> (MinIO, s3rver; omit for AWS),
    /// <c>Region</c>, <c>ForcePathStyle</c>, <c>ChecksumWhenRequired</c> (true for s3rver), and <c>AccessKey</c>/<c>SecretKey</c>
    /// (prefer the AWS default credential chain: environment, profile, instance role). With none of these, an
    /// <see cref="IAmazonS3"/> registered in the service provider is used, else a client with the SDK defaults.
    /// </summary>
    /// <param name="types">The backend types.</param>
    /// <returns>The backend types.</returns>
    public static StorageBackendTypes AddS3Type(this StorageBackendTypes types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return types.Add(TypeName, Create);
    }

    private static S3StorageBackend Create(StorageBackendFactoryContext context)
    {
        var options = new S3StorageOptions();
        var connection = new S3ConnectionSettings();
        try
        {
            context.Configuration.Bind(options);
            context.Configuration.Bind(connection);
        }
        catch (InvalidOperationException ex)
        {
            throw context.Error($"a setting has a value of the wrong type: {ex.Message}");
        }

        options.TimeProvider = context.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        try
        {
            options.Validate();
        }
        catch (AlchemyTypesConfigurationException ex)
        {
            throw context.Error(ex.Message);
        }

        if (!connection.IsSet)
        {
            var registered = context.Services.GetService<IAmazonS3>();
            return registered is not null ? new S3StorageBackend(registered, options) : new S3StorageBackend(new AmazonS3Client(), options, ownsClient: true);
        }

        if ((connection.AccessKey is null) != (connection.SecretKey is null))
        {
            throw context.Error("set both AccessKey and SecretKey, or neither (to use the AWS default credential chain).");
        }

        var config = new AmazonS3Config { ForcePathStyle = connection.ForcePathStyle };
        if (connection.ServiceUrl is not null)
        {
            if (!Uri.TryCreate(connection.ServiceUrl, UriKind.Absolute, out var serviceUri) || serviceUri.Scheme is not ("http" or "https"))
            {
                throw context.Error($"ServiceUrl '{connection.ServiceUrl}' is not an absolute http(s) URL.");
            }

            config.ServiceURL = connection.ServiceUrl;
            config.UseHttp = serviceUri.Scheme == "http";
            config.AuthenticationRegion = connection.Region ?? "us-east-1";
        }
        else if (connection.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(connection.Region);
        }

        if (connection.ChecksumWhenRequired)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        var client = connection.AccessKey is not null
            ? new AmazonS3Client(new BasicAWSCredentials(connection.AccessKey, connection.SecretKey), config)
            : new AmazonS3Client(config);
        return new S3StorageBackend(client, options, ownsClient: true);
    }

    /// <summary>The connection half of an "S3" section (bound by name).</summary>
    private sealed class S3ConnectionSettings
    {
        public string? ServiceUrl { get; set; }

        public string? Region { get; set; }

        public bool ForcePathStyle { get; set; }

        public bool ChecksumWhenRequired { get; set; }

        public string? AccessKey { get; set; }

        public string? SecretKey { get; set; }

        public bool IsSet => ServiceUrl is not null || Region is not null || AccessKey is not null || SecretKey is not null;
    }
}
