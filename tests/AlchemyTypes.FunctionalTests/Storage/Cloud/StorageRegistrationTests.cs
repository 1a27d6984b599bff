using System.Text;
using AlchemyTypes.FunctionalTests.Foundation;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using AlchemyTypes.Testing;
using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>
/// Registration through dependency injection and configuration: the backend is chosen in appsettings.json, created once,
/// and handed to EF Core as a singleton registry.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3StorageRegistrationTests(S3ServerFixture server)
{
    [Promise("P-CLOUD-04")]
    [Fact]
    public async Task An_appsettings_json_section_selects_S3_and_the_registry_uploads_and_reads_through_it()
    {
        using var admin = server.CreateClient();
        var bucket = await S3TestBuckets.CreateAsync(admin);
        var json = $$"""
            {
              "AlchemyTypes": {
                "Storage": {
                  "Default": "files",
                  "Backends": {
                    "files": {
                      "Type": "S3",
                      "BucketName": "{{bucket}}",
                      "KeyPrefix": "app/",
                      "ServiceUrl": "{{server.ServiceUrl}}",
                      "Region": "{{server.Region}}",
                      "ForcePathStyle": true,
                      "ChecksumWhenRequired": true,
                      "UseChunkEncoding": false,
                      "UseConditionalWrites": {{(server.IsExternal ? "true" : "false")}},
                      "AccessKey": "{{server.AccessKey}}",
                      "SecretKey": "{{server.SecretKey}}",
                      "PartSize": 6291456
                    },
                    "scratch": { "Type": "InMemory" }
                  }
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddAlchemyTypesStorage(configuration.GetSection("AlchemyTypes:Storage"), types => types.AddS3Type().AddAzureBlobType());

        await using (var provider = services.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<StorageRegistry>();
            Assert.Same(registry, provider.GetRequiredService<StorageRegistry>());
            Assert.Equal("files", registry.DefaultName);
            var s3 = Assert.IsType<S3StorageBackend>(registry.Default);
            Assert.Equal((bucket, "app/"), (s3.BucketName, s3.KeyPrefix));
            Assert.IsType<InMemoryStorageBackend>(registry.Get("scratch"));

            await registry.Default.UploadAsync("hello.txt", new MemoryStream(Encoding.UTF8.GetBytes("from "
                + "configuration")), new StorageUploadOptions { ContentType = "text/plain" });
            await using var read = await registry.Get("files").OpenReadAsync("hello.txt");
            Assert.Equal("from configuration", await new StreamReader(read).ReadToEndAsync());
        }

        // The object really is in the bucket, under the prefix.
        Assert.Equal(["app/hello.txt"], await S3TestBuckets.ListKeysAsync(admin, bucket));
        await S3TestBuckets.DeleteAsync(admin, bucket);
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStorageRegistrationTests(AzuriteFixture server)
{
    [Promise("P-CLOUD-04")]
    [Fact]
    public async Task A_configuration_section_selects_Azure_Blob_and_the_registry_uploads_and_reads_through_it()
    {
        var container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await container.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Backends:files:Type"] = "AzureBlob",
            ["Storage:Backends:files:ConnectionString"] = server.ConnectionString,
            ["Storage:Backends:files:ContainerName"] = container.Name,
            ["Storage:Backends:files:TransferSize"] = "1048576",
        }).Build();
        var services = new ServiceCollection();
        services.AddAlchemyTypesStorage(configuration.GetSection("Storage"), types => types.AddS3Type().AddAzureBlobType());

        await using (var provider = services.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<StorageRegistry>();
            Assert.Equal("files", registry.DefaultName); // the only backend is the default
            var azure = Assert.IsType<AzureBlobStorageBackend>(registry.Default);
            Assert.True(azure.CanSignUrls);

            await registry.Default.UploadAsync("big.bin", new GeneratedStream(3 * 1024 * 1024 + 5));
            Assert.Equal(3 * 1024 * 1024 + 5, (await registry.Default.GetInfoAsync("big.bin")).Size);
        }

        Assert.True(await container.GetBlobClient("big.bin").ExistsAsync());
        await container.DeleteAsync();
    }

    [Fact]
    public async Task The_registry_singleton_feeds_every_DbContext_without_creating_a_service_provider_each_time()
    {
        var container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await container.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Backends:files:Type"] = "AzureBlob",
            ["Storage:Backends:files:ConnectionString"] = server.ConnectionString,
            ["Storage:Backends:files:ContainerName"] = container.Name,
        }).Build();
        var database = await new SqliteTestStore().CreateDatabaseAsync();
        await using (database)
        {
            var services = new ServiceCollection();
            services.AddAlchemyTypesStorage(configuration.GetSection("Storage"), types => types.AddAzureBlobType());
            services.AddDbContext<FoundationContext>((sp, o) => database.UseProvider(o)
                .AddAlchemyTypes(a => a.UseStorageRegistry(sp.GetRequiredService<StorageRegistry>()))
                .ForTests());
            await using var provider = services.BuildServiceProvider();

            // EF Core builds an internal service provider (and model) per distinct configuration and refuses past 20:
            // every context of the application must share one, because the registry is one singleton.
            var internalProviders = new HashSet<object>(ReferenceEqualityComparer.Instance);
            var models = new HashSet<object>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < 30; i++)
            {
                await using var scope = provider.CreateAsyncScope();
                var context = scope.ServiceProvider.GetRequiredService<FoundationContext>();
                await context.Database.EnsureCreatedAsync();
                Assert.Equal(0, await context.Meetings.CountAsync());
                internalProviders.Add(Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Infrastructure.IModelSource>(context)); // a singleton of the internal provider
                models.Add(context.Model);
            }

            Assert.Single(internalProviders);
            Assert.Single(models);
        }

        await container.DeleteAsync();
    }
}

public sealed class StorageConfigurationErrorTests
{
    [Promise("P-CLOUD-04")]
    [Fact]
    public void An_unknown_type_names_the_known_ones_and_the_package_call()
    {
        var provider = Build(new() { ["S:Backends:files:Type"] = "Dropbox" }, withCloudTypes: false);
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => provider.GetRequiredService<StorageRegistry>());
        Assert.Contains("'Dropbox' is not registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddS3Type()", error.Message, StringComparison.Ordinal);
        Assert.Contains("S:Backends:files", error.Message, StringComparison.Ordinal);
    }

    [Promise("P-CLOUD-04")]
    [Fact]
    public void Missing_settings_are_reported_per_backend()
    {
        Assert.Contains("Type is missing",
            Assert.Throws<AlchemyTypesConfigurationException>(()
                => Build(new() { ["S:Backends:files:RootPath"] = "/tmp" }).GetRequiredService<StorageRegistry>()).Message, StringComparison.Ordinal);
        Assert.Contains("BucketName", Assert.Throws<AlchemyTypesConfigurationException>(() => Build(new() { ["S:Backends:files:Type"] = "S3",
            ["S:Backends:files:Region"] = "eu-west-1" }).GetRequiredService<StorageRegistry>()).Message, StringComparison.Ordinal);
        Assert.Contains("ContainerName",
            Assert.Throws<AlchemyTypesConfigurationException>(() => Build(new() { ["S:Backends:files:Type"] = "AzureBlob",
                ["S:Backends:files:ConnectionString"] = "UseDevelopmentStorage=true" }).GetRequiredService<StorageRegistry>()).Message,
                    StringComparison.Ordinal);
        Assert.Contains("no 'Default'", Assert.Throws<AlchemyTypesConfigurationException>(()
            => Build(new() { ["S:Backends:a:Type"] = "InMemory",
                ["S:Backends:b:Type"] = "InMemory" }).GetRequiredService<StorageRegistry>()).Message, StringComparison.Ordinal);
        Assert.Contains("has no backends",
            Assert.Throws<AlchemyTypesConfigurationException>(() => Build([]).GetRequiredService<StorageRegistry>()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registered_BlobServiceClient_is_used_when_the_section_has_no_connection()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new BlobServiceClient("UseDevelopmentStorage=true"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string,
            string?> { ["S:Backends:files:Type"] = "azureblob", ["S:Backends:files:ContainerName"] = "uploads" }).Build();
        services.AddAlchemyTypesStorage(configuration.GetSection("S"), types => types.AddAzureBlobType());
        using var provider = services.BuildServiceProvider();
        var backend = Assert.IsType<AzureBlobStorageBackend>(provider.GetRequiredService<StorageRegistry>().Default);
        Assert.Equal("uploads", backend.Container.Name);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, bool withCloudTypes = true)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddAlchemyTypesStorage(configuration.GetSection("S"), types =>
        {
            if (withCloudTypes)
            {
                types.AddS3Type().AddAzureBlobType();
            }
        });
        return services.BuildServiceProvider();
    }
}
