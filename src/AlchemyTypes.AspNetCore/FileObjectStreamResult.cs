using System.Globalization;
using AlchemyTypes.Storage;
using Microsoft.AspNetCore.Http;

namespace AlchemyTypes.AspNetCore;

/// <summary>Streams a stored FileObject with the HTTP semantics browsers and download managers rely on.</summary>
/// <remarks>
/// Every response, 304, 206 and 416 included, carries <c>X-Content-Type-Options: nosniff</c> and the sandboxing
/// <see cref="FileServing.ContentSecurityPolicy"/>; <c>Content-Disposition</c> and <c>Content-Type</c> follow <see cref="FileServing"/>.
/// </remarks>
internal sealed class FileObjectStreamResult(FileObject file, bool inline, string? downloadName = null) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var request = httpContext.Request;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        var size = file.Size;

        response.Headers.AcceptRanges = "bytes";
        response.Headers.XContentTypeOptions = FileServing.NoSniff; // user uploads: the browser must trust the stored type, not guess
        response.Headers.ContentSecurityPolicy = FileServing.ContentSecurityPolicy; // and if it renders one, no script, no origin
        if (file.ETag is { Length: > 0 } etag)
        {
            response.Headers.ETag = etag.StartsWith('"') || etag.StartsWith("W/", StringComparison.Ordinal) ? etag : $"\"{etag}\"";
            if (request.Headers.IfNoneMatch.Any(v => v is not null && (v == "*" || v.Split(',').Any(t => t.Trim() == response.Headers.ETag.ToString()))))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
        }

        if (file.LastModified is { } lastModified)
        {
            response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
        }

        // Inline only for the allowlisted types (FileServing): anything else could run script in the application's origin.
        response.Headers.ContentDisposition = FileServing.ContentDisposition(downloadName ?? file.FileName, file.ContentType, inline);
        response.ContentType = FileServing.ResponseContentType(file.ContentType);

        StorageRange? range = null;
        if (size is { } length && TryParseSingleRange(request.Headers.Range.ToString(), length, out var first, out var last, out var unsatisfiable))
        {
            if (unsatisfiable)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{length}";
                return;
            }

            range = new StorageRange(first, last - first + 1);
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {first}-{last}/{length}";
            response.ContentLength = last - first + 1;
        }
        else if (size is { } whole)
        {
            response.ContentLength = whole;
        }

        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        var content = range is { } r ? await file.OpenReadAsync(r,
            cancellationToken).ConfigureAwait(false) : await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            await content.CopyToAsync(response.Body, 81920, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Parses <c>bytes=a-b</c>, <c>bytes=a-</c> and <c>bytes=-n</c>; several ranges or garbage mean "send it whole".</summary>
    internal static bool TryParseSingleRange(string header, long length, out long first, out long last, out bool unsatisfiable)
    {
        first = last = 0;
        unsatisfiable = false;
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var spec = header[6..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return false; // multipart/byteranges is not offered: the whole representation is a valid answer
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }

        var start = spec[..dash].Trim();
        var end = spec[(dash + 1)..].Trim();
        if (start.Length == 0)
        {
            if (!long.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return false;
            }

            if (suffix == 0 || length == 0)
            {
                unsatisfiable = true;
                return true;
            }

            first = Math.Max(0, length - suffix);
            last = length - 1;
            return true;
        }

        if (!long.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out first))
        {
            return false;
        }

        if (end.Length == 0)
        {
            last = length - 1;
        }
        else if (!long.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < first)
        {
            return false;
        }

        if (first >= length)
        {
            unsatisfiable = true;
            return true;
        }

        last = Math.Min(last, length - 1);
        return true;
    }
}
