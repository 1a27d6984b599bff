using AlchemyTypes.Storage.DependencyInjection;
using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.Storage.Azure;

/// <summary>Adds the "AzureBlob" backend type to configuration-driven storage registration.</summary>
public static class AzureBlobStorageBackendTypesExtensions
{
    /// <summary>The value of <c>Type</c> that selects this backend.</summary>
    public const string TypeName = "AzureBlob";

    /// <summary>
    /// Lets configuration select <c>"Type": "AzureBlob"</c>. The section binds to <see cref="AzureBlobStorageOptions"/>
    /// (<c>ContainerName</c>, <c>KeyPrefix</c>, <c>TransferSize</c>, …) plus how to reach the account, one of:
    /// <c>ConnectionString</c> (with <c>ContainerName</c>; keep it in a secret store, not appsettings.json);
    /// <c>ContainerUri</c> (a container URL, with a SAS query or authenticated by the <see cref="TokenCredential"/> registered
    /// in the service provider); <c>ServiceUri</c> with <c>ContainerName</c> (likewise). With none of them, a
    /// <see cref="BlobServiceClient"/> registered in the service provider is used with <c>ContainerName</c>.
    /// </summary>
    /// <param name="types">The backend types.</param>
    /// <returns>The backend types.</returns>
    public static StorageBackendTypes AddAzureBlobType(this StorageBackendTypes types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return types.Add(TypeName, Create);
    }

    private static AzureBlobStorageBackend Create(StorageBackendFactoryContext context)
    {
        var options = new AzureBlobStorageOptions();
        var connection = new AzureConnectionSettings();
        try
        {
            context.Configuration.Bind(options);
            context.Configuration.Bind(connection);
            options.TimeProvider = context.Services.GetService<TimeProvider>() ?? TimeProvider.System;
            options.Validate();
        }
        catch (InvalidOperationException ex)
        {
            throw context.Error($"a setting has a value of the wrong type: {ex.Message}");
        }
        catch (AlchemyTypesConfigurationException ex)
        {
            throw context.Error(ex.Message);
        }

        var ways = new[] { connection.ConnectionString, connection.ContainerUri, connection.ServiceUri }.Count(v => !string.IsNullOrWhiteSpace(v));
        if (ways > 1)
        {
            throw context.Error("set only one of ConnectionString, ContainerUri and ServiceUri.");
        }

        if (!string.IsNullOrWhiteSpace(connection.ContainerUri))
        {
            var uri = AbsoluteUri(context, connection.ContainerUri, "ContainerUri");
            var container = HasSas(uri) ? new BlobContainerClient(uri) : new BlobContainerClient(uri, Credential(context));
            return new AzureBlobStorageBackend(container, options);
        }

        var containerName = string.IsNullOrWhiteSpace(options.ContainerName)
            ? throw context.Error("ContainerName is required (or give ContainerUri).")
            : options.ContainerName;
        BlobServiceClient service;
        if (!string.IsNullOrWhiteSpace(connection.ConnectionString))
        {
            try
            {
                service = new BlobServiceClient(connection.ConnectionString);
            }
            catch (FormatException ex)
            {
                throw context.Error($"ConnectionString is not a valid Azure Storage connection string ({ex.Message}).");
            }
        }
        else if (!string.IsNullOrWhiteSpace(connection.ServiceUri))
        {
            var uri = AbsoluteUri(context, connection.ServiceUri, "ServiceUri");
            service = HasSas(uri) ? new BlobServiceClient(uri) : new BlobServiceClient(uri, Credential(context));
        }
        else
        {
            service = context.Services.GetService<BlobServiceClient>()
                ?? throw context.Error("say how to reach the account: ConnectionString, ContainerUri or ServiceUri, or register a "
                    + "BlobServiceClient in the service provider.");
        }

        return new AzureBlobStorageBackend(service, containerName, options);
    }

    private static Uri AbsoluteUri(StorageBackendFactoryContext context, string value, string setting)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw context.Error($"{setting} is not an absolute http(s) URL.");

    private static bool HasSas(Uri uri) => uri.Query.Contains("sig=", StringComparison.Ordinal);

    private static TokenCredential Credential(StorageBackendFactoryContext context)
        => context.Services.GetService<TokenCredential>()
            ?? throw context.Error("the URL has no SAS, so a TokenCredential must be registered in the service provider "
                + "(services.AddSingleton<TokenCredential>(new DefaultAzureCredential())).");

    /// <summary>The connection half of an "AzureBlob" section (bound by name).</summary>
    private sealed class AzureConnectionSettings
    {
        public string? ConnectionString { get; set; }

        public string? ContainerUri { get; set; }

        public string? ServiceUri { get; set; }
    }
}
