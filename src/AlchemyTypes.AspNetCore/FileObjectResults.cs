using AlchemyTypes.Storage;
using Microsoft.AspNetCore.Http;

namespace AlchemyTypes.AspNetCore;

/// <summary>HTTP results for <see cref="FileObject"/> values, for minimal APIs and controllers.</summary>
public static class FileObjectResults
{
    /// <summary>
    /// Streams the file from storage: <c>Content-Type</c>, <c>Content-Length</c>, <c>ETag</c>, <c>Last-Modified</c>,
    /// <c>Content-Disposition</c> with the file name (RFC 5987 <c>filename*</c>), single byte ranges (206, 416), and
    /// <c>If-None-Match</c> (304). Every response carries <c>X-Content-Type-Options: nosniff</c> and the sandboxing
    /// <see cref="FileServing.ContentSecurityPolicy"/>. Only the requested range is read from storage; nothing is buffered whole.
    /// </summary>
    /// <param name="file">A stored FileObject.</param>
    /// <param name="inline">
    /// True to let the browser display it (<c>inline</c>) rather than download it (<c>attachment</c>). Honoured only for the types
    /// of <see cref="FileServing.CanDisplayInline"/> (images, audio, video, plain text); every other type, HTML, SVG, XML, XSL and
    /// PDF included, is always sent as <c>attachment</c> (docs/serving-files.md).
    /// </param>
    /// <returns>The result.</returns>
    public static IResult Stream(FileObject file, bool inline = false)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new FileObjectStreamResult(file, inline);
    }

    /// <summary>Redirects (302) to a signed URL of the file, so the client downloads straight from storage.</summary>
    /// <param name="file">A stored FileObject in a backend that can sign (see <see cref="FileObject.CanSignUrls"/>).</param>
    /// <param name="expiresIn">How long the URL is valid; 5 minutes when null.</param>
    /// <returns>The result.</returns>
    /// <exception cref="StorageCapabilityException">The backend cannot sign URLs (check <see cref="FileObject.CanSignUrls"/>).</exception>
    public static IResult RedirectToSignedUrl(FileObject file, TimeSpan? expiresIn = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.CanSignUrls)
        {
            throw new StorageCapabilityException($"'{file.FileName}' is in a backend that cannot sign URLs; use FileObjectResults.Stream, or "
                + $"Download which falls back to it.");
        }

        return new SignedUrlRedirectResult(file, new SignedUrlOptions { ExpiresIn = expiresIn ?? TimeSpan.FromMinutes(5) });
    }

    /// <summary>A redirect to a signed URL when the backend can sign, else the streamed response.</summary>
    /// <param name="file">A stored FileObject.</param>
    /// <param name="expiresIn">How long a signed URL is valid; 5 minutes when null.</param>
    /// <returns>The result.</returns>
    public static IResult Download(FileObject file, TimeSpan? expiresIn = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.CanSignUrls ? RedirectToSignedUrl(file, expiresIn) : Stream(file);
    }
}
