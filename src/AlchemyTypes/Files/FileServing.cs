using System.Collections.Frozen;
using System.Text;

namespace AlchemyTypes;

/// <summary>
/// The one rule for serving stored files to browsers, used by <c>FileObjectResults</c>, the local backend's signed-URL endpoint and
/// the signed GET URLs of the S3 and Azure backends (docs/serving-files.md). A file is displayed by the browser (<c>inline</c>) only
/// when its type is on a short allowlist of types no browser runs script in; every other type is sent as <c>attachment</c>
/// with the file's name. Every file response also carries <c>X-Content-Type-Options: nosniff</c> and
/// <see cref="ContentSecurityPolicy"/>.
/// </summary>
public static class FileServing
{
    /// <summary>
    /// The <c>Content-Security-Policy</c> of every file response: the document gets a unique opaque origin with scripts, forms,
    /// plugins and pop-ups disabled (<c>sandbox</c>), and may load nothing (<c>default-src 'none'</c>) but its own inline styles
    /// (which browsers use to center an image they display).
    /// </summary>
    public const string ContentSecurityPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'";

    /// <summary>The value of <c>X-Content-Type-Options</c> on every file response: the browser must not guess another type.</summary>
    public const string NoSniff = "nosniff";

    // Raster images, audio and video (rendered by the browser's own decoders, never as a document that runs script) and plain text.
    // Not here, on purpose: HTML, XHTML, SVG and every XML or XSL type (script), PDF (a document format with its own scripting,
    // and Chromium does not display it under the sandbox policy), multipart types (each part brings its own headers).
    private static readonly FrozenSet<string> Inline = new[]
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon", "image/vnd.microsoft.icon",
        "audio/mpeg", "audio/wav", "audio/ogg", "audio/flac", "audio/mp4", "audio/webm", "audio/aac",
        "video/mp4", "video/webm", "video/ogg",
        "text/plain",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a file of <paramref name="contentType"/> may be displayed by the browser: PNG, JPEG, GIF, WebP, AVIF, BMP and icon
    /// images, MPEG, WAV, Ogg, FLAC, MP4, WebM and AAC audio, MP4, WebM and Ogg video, and <c>text/plain</c> (parameters and
    /// case ignored). Everything else, including HTML, SVG, XML, XSL, PDF and any type not listed, is not.
    /// </summary>
    /// <param name="contentType">The stored MIME type; null or malformed is not displayable.</param>
    /// <returns>True when <c>inline</c> is allowed.</returns>
    public static bool CanDisplayInline(string? contentType)
        => contentType is not null && ContentTypes.IsValid(contentType) && Inline.Contains(MediaType(contentType));

    /// <summary>
    /// Whether the response is <c>inline</c>: only when the caller asked for it and <see cref="CanDisplayInline"/> allows the type.
    /// </summary>
    /// <param name="contentType">The stored MIME type.</param>
    /// <param name="inlineRequested">Whether the caller wants the browser to display the file.</param>
    /// <returns>True for <c>inline</c>, false for <c>attachment</c>.</returns>
    public static bool IsInline(string? contentType, bool inlineRequested) => inlineRequested && CanDisplayInline(contentType);

    /// <summary>
    /// The <c>Content-Type</c> to send: the stored type, except that a malformed type or a <c>multipart/*</c> or <c>message/*</c>
    /// container (whose parts bring their own headers, which some browsers honour over the outer <c>attachment</c>) is sent as
    /// <c>application/octet-stream</c>.
    /// </summary>
    /// <param name="contentType">The stored MIME type.</param>
    /// <returns>The type for the response header.</returns>
    public static string ResponseContentType(string? contentType)
    {
        if (contentType is null || !ContentTypes.IsValid(contentType))
        {
            return ContentTypes.OctetStream;
        }

        var type = MediaType(contentType);
        return type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) || type.StartsWith("message/", StringComparison.OrdinalIgnoreCase)
            ? ContentTypes.OctetStream
            : contentType;
    }

    /// <summary>
    /// The <c>Content-Disposition</c> header value for a file: <c>inline</c> or <c>attachment</c> per <see cref="IsInline"/>, an ASCII
    /// <c>filename</c> fallback and the real name as RFC 5987 <c>filename*=UTF-8''…</c> (non-ASCII letters kept, percent-encoded).
    /// Control characters (CR, LF…), quotes, backslashes and slashes never reach the header: they become <c>_</c> in the name.
    /// The value is pure ASCII, so it can also travel in a signed URL (S3 <c>response-content-disposition</c>, Azure <c>rscd</c>).
    /// </summary>
    /// <param name="fileName">The file's name, as the user gave it.</param>
    /// <param name="contentType">The stored MIME type.</param>
    /// <param name="inlineRequested">Whether the caller wants the browser to display the file.</param>
    /// <returns>The header value, e.g. <c>attachment; filename="r_sum_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt</c>.</returns>
    public static string ContentDisposition(string? fileName, string? contentType, bool inlineRequested)
    {
        var name = SafeName(fileName);
        var header = new StringBuilder(IsInline(contentType, inlineRequested) ? "inline" : "attachment", 32 + name.Length * 4);
        header.Append("; filename=\"");
        foreach (var c in name)
        {
            header.Append(c is >= ' ' and < (char)0x7F and not '"' and not '\\' and not '%' ? c : '_');
        }

        header.Append("\"; filename*=UTF-8''");
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in name.EnumerateRunes())
        {
            var written = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..written])
            {
                if (IsAttrChar(b))
                {
                    header.Append((char)b);
                }
                else
                {
                    header.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return header.ToString();
    }

    /// <summary>The name with every control character, quote, backslash and slash replaced by <c>_</c>; "file" when nothing is left.</summary>
    private static string SafeName(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return "file";
        }

        var safe = new StringBuilder(fileName.Length);
        foreach (var rune in fileName.EnumerateRunes())
        {
            var unsafeRune = Rune.IsControl(rune) || rune.Value is '"' or '\\' or '/' or 0x2028 or 0x2029 or 0xFEFF
                || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.OtherNotAssigned
                    or System.Globalization.UnicodeCategory.Surrogate;
            if (unsafeRune)
            {
                safe.Append('_');
            }
            else
            {
                safe.Append(rune.ToString());
            }
        }

        var name = safe.ToString().Trim();
        return name.Trim('.').Length == 0 ? "file" : name;
    }

    // RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    private static bool IsAttrChar(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
        or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`'
        or (byte)'|' or (byte)'~';

    private static string MediaType(string contentType) => contentType.Split(';', 2)[0].Trim();
}
