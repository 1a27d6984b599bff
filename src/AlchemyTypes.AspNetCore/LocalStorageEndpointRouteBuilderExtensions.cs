using AlchemyTypes;
using AlchemyTypes.AspNetCore;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

// ReSharper disable once CheckNamespace
namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the signed URLs of a <see cref="LocalFileSystemStorageBackend"/>.</summary>
public static class LocalStorageEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps GET, HEAD and PUT at the path of the backend's <see cref="LocalFileSystemStorageOptions.BaseUrl"/>, for URLs the backend
    /// signed. GET and HEAD serve the object like <c>FileObjectResults.Stream</c> (ranges, ETag and conditional GET), named after
    /// the file the URL was signed for, <c>inline</c> only for the types of <see cref="FileServing.CanDisplayInline"/> and
    /// <c>attachment</c> otherwise; every response, refusals included, carries <c>nosniff</c> and the sandboxing
    /// <see cref="FileServing.ContentSecurityPolicy"/>. PUT stores the request body at the key if no object is there (409 otherwise), at most the URL's
    /// size limit (413 beyond it), with exactly the URL's content type when it binds one. A missing, wrong, altered or expired
    /// signature, or one for another key or method, gets 403 with an empty body.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="backend">A backend created with a signing key and base URL.</param>
    /// <returns>The endpoint, for further conventions (rate limiting, say). Do not add authorization that a browser's signed request cannot pass.</returns>
    /// <exception cref="StorageCapabilityException">The backend cannot sign URLs.</exception>
    public static IEndpointConventionBuilder MapAlchemyTypesLocalStorage(this IEndpointRouteBuilder endpoints, LocalFileSystemStorageBackend backend)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(backend);
        var signer = backend.Signer ?? throw new StorageCapabilityException($"{backend} cannot sign URLs: create it with "
            + "LocalFileSystemStorageOptions that set SigningKey and BaseUrl.");
        var registry = new StorageRegistry([new("local", backend)]);
        return endpoints.MapMethods(signer.BasePath + "/{**key}", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put],
            context => LocalStorageEndpoint.HandleAsync(context, backend, signer, registry));
    }

    /// <summary>
    /// Maps the endpoint of the local backend called <paramref name="backendName"/> in the <see cref="StorageRegistry"/> that dependency
    /// injection holds (<c>services.AddAlchemyTypesStorage(configuration)</c>, with <c>Type: Local</c>, <c>SigningKey</c> and
    /// <c>BaseUrl</c>). See the other overload for what it serves.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="backendName">The configured name of a signing local backend.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="AlchemyTypesConfigurationException">The name is not registered, or is not a local backend.</exception>
    public static IEndpointConventionBuilder MapAlchemyTypesLocalStorage(this IEndpointRouteBuilder endpoints, string backendName)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(backendName);
        var registry = endpoints.ServiceProvider.GetService(typeof(StorageRegistry)) as StorageRegistry
            ?? throw new AlchemyTypesConfigurationException("No StorageRegistry is registered: call services.AddAlchemyTypesStorage(configuration) "
                + "or pass the backend itself.");
        return registry.Get(backendName) is LocalFileSystemStorageBackend local
            ? endpoints.MapAlchemyTypesLocalStorage(local)
            : throw new AlchemyTypesConfigurationException($"The storage backend '{backendName}' is not a LocalFileSystemStorageBackend; "
                + "only the local backend is served by this endpoint (S3 and Azure serve their own signed URLs).");
    }
}
