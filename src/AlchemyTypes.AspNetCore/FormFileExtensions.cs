using Microsoft.AspNetCore.Http;

namespace AlchemyTypes.AspNetCore;

/// <summary>Turns an uploaded form file into a <see cref="FileObject"/>.</summary>
public static class FormFileExtensions
{
    /// <summary>
    /// Creates a FileObject that streams <paramref name="file"/> into storage when <c>SaveChanges</c> runs (nothing is
    /// buffered by AlchemyTypes). The file name is reduced to its last segment (browsers may send <c>C:\fakepath\x.pdf</c>),
    /// and the browser's content type is used when it is well formed and no other is given.
    /// </summary>
    /// <param name="file">The uploaded file; the request must still be running when SaveChanges reads it.</param>
    /// <param name="options">Key, metadata, backend, or a content type that overrides the browser's.</param>
    /// <returns>A FileObject to assign to a property.</returns>
    /// <exception cref="ArgumentException">The file is empty-named.</exception>
    public static FileObject ToFileObject(this IFormFile file, FileObjectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var name = Path.GetFileName(file.FileName.Replace('\\', '/'));
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The uploaded file has no file name.", nameof(file));
        }

        var contentType = options?.ContentType
            ?? (ContentTypes.IsValid(file.ContentType) && file.ContentType != ContentTypes.OctetStream ? file.ContentType : null);
        return FileObject.FromStream(
            file.OpenReadStream(),
            name,
            new FileObjectOptions { ContentType = contentType, Key = options?.Key, Metadata = options?.Metadata, Backend = options?.Backend });
    }
}
