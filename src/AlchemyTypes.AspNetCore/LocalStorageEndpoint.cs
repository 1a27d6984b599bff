using System.Globalization;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace AlchemyTypes.AspNetCore;

/// <summary>The request handling behind <c>MapAlchemyTypesLocalStorage</c>. Every refusal has an empty body.</summary>
internal static class LocalStorageEndpoint
{
    public static async Task HandleAsync(HttpContext context, LocalFileSystemStorageBackend backend, LocalUrlSigner signer, StorageRegistry registry)
    {
        var request = context.Request;
        var response = context.Response;
        var method = HttpMethods.IsPut(request.Method) ? "PUT" : "GET";
        var key = request.RouteValues["key"] as string;
        var query = request.Query;

        // Every answer, refusals and uploads included, forbids sniffing and runs sandboxed should a browser render it.
        response.Headers.XContentTypeOptions = FileServing.NoSniff;
        response.Headers.ContentSecurityPolicy = FileServing.ContentSecurityPolicy;
        var name = query.ContainsKey("name") ? One(query["name"]) ?? "" : null;
        var inline = query.ContainsKey("inline") ? One(query["inline"]) ?? "" : null;
        if (key is null || !IsKey(key) || One(query["method"]) != method
            || !signer.Verify(method, key, One(query["expires"]), One(query["max"]), One(query["type"]), name, inline, One(query["sig"])))
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        response.Headers.CacheControl = "private, no-store";
        if (method == "PUT")
        {
            await PutAsync(context, backend, key, long.Parse(One(query["max"])!, NumberStyles.None, CultureInfo.InvariantCulture),
                One(query["type"])!).ConfigureAwait(false);
            return;
        }

        StoredObjectInfo info;
        try
        {
            info = await backend.GetInfoAsync(key, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StorageObjectNotFoundException)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // The signed name is the row's file name (a URL signed before names were signed falls back to the key's last segment);
        // inline or attachment follows FileServing from the stored type, never from the URL alone.
        var file = FileObject.Load(key[(key.LastIndexOf('/') + 1)..], key, "local", info.ContentType, info.Size, null, info.ETag,
            info.LastModified, info.VersionId, null);
        file.AttachStorage(registry);
        await new FileObjectStreamResult(file, inline: inline != "0", downloadName: name).ExecuteAsync(context).ConfigureAwait(false);
    }

    private static async Task PutAsync(HttpContext context, LocalFileSystemStorageBackend backend, string key, long max, string boundType)
    {
        var request = context.Request;
        var response = context.Response;
        var contentType = request.ContentType ?? ContentTypes.OctetStream;
        if (boundType.Length > 0 ? !string.Equals(contentType, boundType, StringComparison.OrdinalIgnoreCase) : !ContentTypes.IsValid(contentType))
        {
            response.StatusCode = boundType.Length > 0 ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            return;
        }

        if (request.ContentLength > max)
        {
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        // The signed limit bounds the body; the server's global limit (30 MB on Kestrel) would cut large direct uploads short.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        try
        {
            using var bounded = new HashingReadStream(request.Body, max, size => new FileValidationException(
                $"The upload has more than the {max} bytes its URL allows."));
            var info = await backend.UploadAsync(key, bounded, new StorageUploadOptions { ContentType = contentType, Overwrite = false },
                context.RequestAborted).ConfigureAwait(false);
            response.StatusCode = StatusCodes.Status201Created;
            if (info.ETag is { Length: > 0 } etag)
            {
                response.Headers.ETag = etag.StartsWith('"') ? etag : $"\"{etag}\"";
            }
        }
        catch (StorageObjectExistsException)
        {
            response.StatusCode = StatusCodes.Status409Conflict; // a signed PUT creates; it never replaces
        }
        catch (FileValidationException)
        {
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        }
    }

    private static bool IsKey(string key)
    {
        try
        {
            StorageKey.Validate(key);
            return true;
        }
        catch (InvalidStorageKeyException)
        {
            return false;
        }
    }

    private static string? One(StringValues values) => values.Count == 1 ? values[0] : null;
}
