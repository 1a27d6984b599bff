using System.Text;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Identifies content from its first bytes (at most <see cref="HeadSize"/>) with a fixed signature table. The table
/// (also in SECURITY.md):
/// <list type="table">
/// <item><term>application/pdf</term><description><c>%PDF-</c> at offset 0</description></item>
/// <item><term>image/png</term><description><c>89 50 4E 47 0D 0A 1A 0A</c> at 0</description></item>
/// <item><term>image/jpeg</term><description><c>FF D8 FF</c> at 0</description></item>
/// <item><term>image/gif</term><description><c>GIF87a</c> or <c>GIF89a</c> at 0</description></item>
/// <item><term>image/webp</term><description><c>RIFF</c> at 0 and <c>WEBP</c> at 8</description></item>
/// <item><term>ZIP family</term><description><c>PK 03 04</c> or <c>PK 05 06</c> at 0; an entry name under <c>word/</c>,
/// <c>xl/</c> or <c>ppt/</c> in the head makes it docx, xlsx or pptx; <c>mimetype</c> followed by
/// <c>application/epub+zip</c> or an OpenDocument type makes it that type; otherwise application/zip</description></item>
/// <item><term>MP4 family</term><description><c>ftyp</c> at 4: brand <c>qt  </c> video/quicktime, <c>M4A </c> audio/mp4,
/// <c>heic</c>/<c>heix</c>/<c>mif1</c> image/heic, <c>avif</c> image/avif, any other brand video/mp4</description></item>
/// <item><term>text/html</term><description>after an optional UTF-8 BOM and white space, one of the WHATWG "HTML"
/// patterns (<c>&lt;!DOCTYPE HTML</c>, <c>&lt;html</c>, <c>&lt;head</c>, <c>&lt;script</c>, <c>&lt;iframe</c>,
/// <c>&lt;body</c>, <c>&lt;div</c>, <c>&lt;a</c>, … <c>&lt;!--</c>), case-insensitive, followed by a space or <c>&gt;</c></description></item>
/// <item><term>image/svg+xml</term><description>text starting with <c>&lt;svg</c>, or XML (<c>&lt;?xml</c>, comments,
/// doctype) whose first element in the head is <c>&lt;svg</c></description></item>
/// <item><term>text</term><description>none of the above, valid UTF-8 (a truncated last character allowed) without NUL or
/// control characters other than tab, line feed, form feed, carriage return and escape: plain text, CSV, JSON, XML…;
/// the declared or guessed type is kept</description></item>
/// </list>
/// Anything else is unknown binary content.
/// </summary>
internal static class ContentSniffer
{
    /// <summary>How many leading bytes are examined (and held in memory while the upload starts).</summary>
    public const int HeadSize = 8192;

    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Zip = "application/zip";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string Pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    public const string Mp4 = "video/mp4";
    public const string Html = "text/html";
    public const string Svg = "image/svg+xml";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] HtmlTags =
    [
        "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE", "<A", "<STYLE", "<TITLE", "<B",
        "<BODY", "<BR", "<P", "<!--",
    ];

    private static readonly string[] OpenDocumentTypes =
    [
        "application/epub+zip", "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    ];

    /// <summary>What the bytes are.</summary>
    public static Detection Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8))
        {
            return Detection.Signature(Pdf);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Detection.Signature(Png);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Detection.Signature(Jpeg);
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Detection.Signature(Gif);
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return Detection.Signature(WebP);
        }

        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8))
        {
            return Detection.Signature(ZipType(head));
        }

        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return Detection.Signature(Encoding.ASCII.GetString(head[8..12]) switch
            {
                "qt  " => "video/quicktime",
                "M4A " => "audio/mp4",
                "heic" or "heix" or "mif1" => "image/heic",
                "avif" => "image/avif",
                _ => Mp4,
            });
        }

        if (!IsText(head))
        {
            return Detection.Unknown;
        }

        var text = SkipBomAndWhiteSpace(head);
        if (StartsWithTag(text, "<SVG"))
        {
            return Detection.Signature(Svg);
        }

        foreach (var tag in HtmlTags)
        {
            if (StartsWithTag(text, tag))
            {
                return Detection.Signature(Html);
            }
        }

        if (text.StartsWith("<?xml"u8) || text.StartsWith("<!DOCTYPE"u8) || text.StartsWith("<!--"u8))
        {
            // The first element after the prolog decides: an SVG document is active content.
            var element = FirstElement(text);
            if (element.StartsWith("<svg"u8) && element.Length > 4
                && element[4] is (byte)' ' or (byte)'>' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'/')
            {
                return Detection.Signature(Svg);
            }
        }

        return Detection.Text;
    }

    /// <summary>Types the signature table can recognise: a declared one the bytes do not show is a contradiction.</summary>
    public static bool IsSignatureType(string contentType)
    {
        var type = MediaType(contentType);
        return type is Pdf or Png or Jpeg or Gif or WebP or Mp4 or "video/quicktime" or "image/heic" or "image/avif" || IsZipFamily(type);
    }

    /// <summary>The ZIP container formats: application/zip and the Office, OpenDocument and EPUB types built on it.</summary>
    public static bool IsZipFamily(string contentType)
    {
        var type = MediaType(contentType);
        return type is Zip or "application/x-zip-compressed" or Docx or Xlsx or Pptx || OpenDocumentTypes.Contains(type, StringComparer.OrdinalIgnoreCase);
    }

    public static string MediaType(string contentType) => contentType.Split(';', 2)[0].Trim().ToLowerInvariant();

    private static string ZipType(ReadOnlySpan<byte> head)
    {
        // Entry names are stored in clear in each local file header; the first ones are in the head.
        if (head.IndexOf("word/"u8) >= 0)
        {
            return Docx;
        }

        if (head.IndexOf("xl/"u8) >= 0)
        {
            return Xlsx;
        }

        if (head.IndexOf("ppt/"u8) >= 0)
        {
            return Pptx;
        }

        // EPUB and OpenDocument store an uncompressed first entry "mimetype" holding the type.
        if (head.Length > 38 && head[30..38].SequenceEqual("mimetype"u8))
        {
            foreach (var type in OpenDocumentTypes)
            {
                if (head[38..].StartsWith(Encoding.ASCII.GetBytes(type)))
                {
                    return type;
                }
            }
        }

        return Zip;
    }

    private static bool IsText(ReadOnlySpan<byte> head)
    {
        foreach (var b in head)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or 0x0C or (byte)'\r' or 0x1B))
            {
                return false;
            }
        }

        // Valid UTF-8, allowing the head to cut the last character (no flush).
        try
        {
            StrictUtf8.GetDecoder().GetCharCount(head, flush: false);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static ReadOnlySpan<byte> SkipBomAndWhiteSpace(ReadOnlySpan<byte> text)
    {
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = text[3..];
        }

        var i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)
        {
            i++;
        }

        return text[i..];
    }

    /// <summary>Whether <paramref name="text"/> starts with <paramref name="tag"/> (ASCII, ignoring case) followed by a space or '&gt;'.</summary>
    private static bool StartsWithTag(ReadOnlySpan<byte> text, string tag)
    {
        if (text.Length <= tag.Length)
        {
            return false;
        }

        for (var i = 0; i < tag.Length; i++)
        {
            if (char.ToUpperInvariant((char)text[i]) != tag[i])
            {
                return false;
            }
        }

        return tag == "<!--" || text[tag.Length] is (byte)' ' or (byte)'>' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C;
    }

    /// <summary>The text from the first element start tag after an XML prolog, comments and doctype.</summary>
    private static ReadOnlySpan<byte> FirstElement(ReadOnlySpan<byte> text)
    {
        while (true)
        {
            var open = text.IndexOf((byte)'<');
            if (open < 0 || open + 1 >= text.Length)
            {
                return [];
            }

            text = text[open..];
            if (text[1] is (byte)'?' or (byte)'!')
            {
                var end = text.IndexOf((byte)'>');
                if (end < 0)
                {
                    return [];
                }

                text = text[(end + 1)..];
                continue;
            }

            return text;
        }
    }

    /// <summary>The outcome of <see cref="Detect"/>: a type from the table, text (no signature), or unknown binary content.</summary>
    internal readonly record struct Detection(string? ContentType, bool IsText)
    {
        public static Detection Unknown => new(null, false);

        public static Detection Text => new(null, true);

        public static Detection Signature(string contentType) => new(contentType, false);
    }
}
