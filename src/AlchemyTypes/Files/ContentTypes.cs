using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace AlchemyTypes;

/// <summary>Guesses a MIME type from a file name, and checks that a MIME type is well formed.</summary>
public static partial class ContentTypes
{
    /// <summary>The type used when nothing better is known.</summary>
    public const string OctetStream = "application/octet-stream";

    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain", [".csv"] = "text/csv", [".htm"] = "text/html", [".html"] = "text/html", [".css"] = "text/css",
        [".md"] = "text/markdown", [".xml"] = "application/xml", [".json"] = "application/json", [".js"] = "text/javascript",
        [".pdf"] = "application/pdf", [".rtf"] = "application/rtf", [".epub"] = "application/epub+zip",
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif", [".webp"] = "image/webp",
        [".avif"] = "image/avif", [".svg"] = "image/svg+xml", [".ico"] = "image/vnd.microsoft.icon", [".bmp"] = "image/bmp",
        [".tif"] = "image/tiff", [".tiff"] = "image/tiff", [".heic"] = "image/heic",
        [".mp3"] = "audio/mpeg", [".wav"] = "audio/wav", [".ogg"] = "audio/ogg", [".flac"] = "audio/flac", [".m4a"] = "audio/mp4",
        [".mp4"] = "video/mp4", [".webm"] = "video/webm", [".mov"] = "video/quicktime", [".mkv"] = "video/x-matroska",
        [".zip"] = "application/zip", [".gz"] = "application/gzip", [".tar"] = "application/x-tar", [".7z"] = "application/x-7z-compressed",
        [".doc"] = "application/msword", [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xls"] = "application/vnd.ms-excel", [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".ppt"] = "application/vnd.ms-powerpoint", [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".odt"] = "application/vnd.oasis.opendocument.text", [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".bin"] = OctetStream,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    // Types the upload inspector keeps when the bytes have no signature: the table above plus a few common spellings. A declared
    // type outside this set (text/xsl, multipart/x-mixed-replace, anything invented) is stored as application/octet-stream.
    private static readonly FrozenSet<string> Known = ByExtension.Values.Concat(
    [
        "text/xml", "application/x-zip-compressed", "application/vnd.oasis.opendocument.presentation", "image/x-icon", "audio/webm",
        "audio/aac", "video/ogg", "application/x-ndjson", "text/tab-separated-values", "application/x-gzip",
    ]).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The MIME type for <paramref name="fileName"/>'s extension, or <see cref="OctetStream"/>.</summary>
    /// <param name="fileName">A file name.</param>
    /// <returns>The MIME type.</returns>
    public static string Guess(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var extension = Path.GetExtension(fileName);
        return extension.Length > 0 && ByExtension.TryGetValue(extension, out var type) ? type : OctetStream;
    }

    /// <summary>Whether <paramref name="contentType"/> is a well-formed <c>type/subtype</c> with optional parameters and no control characters.</summary>
    /// <param name="contentType">The MIME type.</param>
    /// <returns>True when well formed.</returns>
    public static bool IsValid(string? contentType)
        => contentType is { Length: > 0 and <= 255 } && MediaType().IsMatch(contentType);

    /// <summary>Whether <paramref name="contentType"/> matches <paramref name="pattern"/>: equal (ignoring case and parameters),
    /// <c>type/*</c>, or <c>*/*</c>.</summary>
    /// <param name="contentType">The MIME type.</param>
    /// <param name="pattern">The allowed type or wildcard.</param>
    /// <returns>True when it matches.</returns>
    public static bool Matches(string contentType, string pattern)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(pattern);
        var type = contentType.Split(';', 2)[0].Trim();
        if (pattern == "*/*")
        {
            return true;
        }

        return pattern.EndsWith("/*", StringComparison.Ordinal)
            ? type.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(type, pattern.Trim(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether the media type (parameters ignored) is one this library knows (see <see cref="Known"/>).</summary>
    internal static bool IsKnown(string contentType) => Known.Contains(contentType.Split(';', 2)[0].Trim());

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
        + @"(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(""[\x20-\x21\x23-\x7E]*""|[A-Za-z0-9!#$&^_.+-]+))*$")]
    private static partial Regex MediaType();
}
