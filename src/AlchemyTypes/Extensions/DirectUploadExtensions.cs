using System.Linq.Expressions;
using AlchemyTypes;
using AlchemyTypes.Files.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Direct uploads: a browser uploads a file straight to storage, then the app attaches it to a row. Configure with
/// <c>AddAlchemyTypes(a => a.UseDirectUploads(…))</c>. See docs/aspnetcore.md, "Direct uploads".
/// </summary>
public static class DirectUploadExtensions
{
    /// <summary>
    /// Creates a short-lived upload target for a file of <paramref name="property"/>: a signed PUT URL for a fresh key the library
    /// chooses, the headers to send with it, its expiry, and the token that attaches the upload afterwards.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="property">The FileObject (or FileObjectList) property the file is for, e.g. <c>d => d.File</c>.</param>
    /// <param name="request">File name, size and content type, as the browser reports them.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The target to hand to the browser.</returns>
    /// <exception cref="FileValidationException">The declared size or content type is not allowed for the property.</exception>
    /// <exception cref="DirectUploadException">Direct uploads are not configured, or the property's backend cannot sign URLs.</exception>
    public static Task<DirectUploadTarget> CreateDirectUploadAsync<TEntity>(
        this DbContext context, Expression<Func<TEntity, object?>> property, DirectUploadRequest request,
            CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(property);
        ArgumentNullException.ThrowIfNull(request);
        return DirectUploads.CreateAsync(context, typeof(TEntity), property, request, cancellationToken);
    }

    /// <summary>
    /// Checks a finished direct upload and returns its FileObject: the token's signature and expiry, that it was made for
    /// <paramref name="property"/>, that the object exists, is not larger than declared or allowed, and that its bytes are of an
    /// allowed content type. Assign the result to the property and save: SaveChanges copies the object to the row's own key
    /// (computing the SHA-256 checksum) and removes the uploaded object once the transaction commits.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="property">The property the target was created for.</param>
    /// <param name="token">The <see cref="DirectUploadTarget.Token"/> the browser sent back.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A FileObject waiting to be saved.</returns>
    /// <exception cref="DirectUploadException">The token is invalid, expired, for another property, attached already, or nothing was uploaded.</exception>
    /// <exception cref="FileValidationException">The upload is too large or of a content type the property does not accept.</exception>
    public static Task<FileObject> AttachDirectUploadAsync<TEntity>(
        this DbContext context, Expression<Func<TEntity, object?>> property, string token, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(property);
        ArgumentNullException.ThrowIfNull(token);
        return DirectUploads.AttachAsync(context, typeof(TEntity), property, token, cancellationToken);
    }
}
