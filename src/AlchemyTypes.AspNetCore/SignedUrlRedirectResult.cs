using AlchemyTypes.Storage;
using Microsoft.AspNetCore.Http;

namespace AlchemyTypes.AspNetCore;

internal sealed class SignedUrlRedirectResult(FileObject file, SignedUrlOptions options) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var url = await file.GetSignedUrlAsync(options, httpContext.RequestAborted).ConfigureAwait(false);
        httpContext.Response.Headers.CacheControl = "no-store";
        httpContext.Response.Redirect(url.AbsoluteUri, permanent: false);
    }
}
