namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Decides the content type of an upload from its bytes and checks it against the property's allowed types, before the
/// backend receives anything. Reads at most <see cref="ContentSniffer.HeadSize"/> bytes ahead: a seekable source is
/// rewound, a non-seekable one is replayed through <see cref="HeadThenRestStream"/>; nothing else is buffered.
/// </summary>
/// <remarks>
/// Rules (SECURITY.md, "Content types"): when the bytes match a signature, that type is stored; a <em>declared</em> type
/// (FileObjectOptions.ContentType, a form's Content-Type) that contradicts them is a <see cref="FileValidationException"/>,
/// while a type only guessed from the file name gives way to the bytes. Text without a signature (plain text, CSV, JSON,
/// XML) keeps the declared or guessed type, unless that type claims a signature format the bytes do not have. Unknown
/// binary content keeps the declared or guessed type on the same condition. A declared type this library does not know
/// (<see cref="ContentTypes.IsKnown"/>: text/xsl, multipart/x-mixed-replace, anything invented) is stored as
/// application/octet-stream unless the property's allowed types name it exactly: a browser must never be handed an
/// uploader's choice of active type. Allowed types are checked on the result.
/// </remarks>
internal static class UploadContentInspector
{
    public static async Task<(Stream Content, string ContentType)> InspectAsync(
        Stream source, string fileName, string contentType, bool declared, IReadOnlyList<string>? allowed, string property, bool async,
        CancellationToken cancellationToken)
    {
        var head = new byte[ContentSniffer.HeadSize];
        var start = source.CanSeek ? source.Position : -1;
        var length = 0;
        while (length < head.Length)
        {
            var read = async
                ? await source.ReadAsync(head.AsMemory(length), cancellationToken).ConfigureAwait(false)
                : source.Read(head, length, head.Length - length);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        var stored = Decide(ContentSniffer.Detect(head.AsSpan(0, length)), fileName, contentType, declared, allowed, property);
        if (allowed is not null && !allowed.Any(pattern => ContentTypes.Matches(stored, pattern)))
        {
            var origin = string.Equals(ContentSniffer.MediaType(stored), ContentSniffer.MediaType(contentType), StringComparison.Ordinal)
                ? ""
                : $" (from its bytes; {(declared ? "declared as" : "its name suggests")} '{contentType}')";
            throw new FileValidationException(
                $"'{fileName}' has the content type '{stored}'{origin}, which {property} does not accept (allowed: "
                    + $"{string.Join(", ", allowed)}); nothing was stored.")
            {
                Property = property,
            };
        }

        if (start >= 0)
        {
            source.Position = start;
            return (source, stored);
        }

        return (new HeadThenRestStream(head, length, source), stored);
    }

    private static string Decide(
        ContentSniffer.Detection detection, string fileName, string contentType, bool declared, IReadOnlyList<string>? allowed, string property)
    {
        var claimed = ContentSniffer.MediaType(contentType);
        var unknownClaim = claimed == ContentTypes.OctetStream;
        if (detection.ContentType is { } detected)
        {
            if (unknownClaim || claimed == detected)
            {
                return detected;
            }

            // A generic ZIP signature fits any ZIP-based type (an Office file whose part names are beyond the head).
            if (detected == ContentSniffer.Zip && ContentSniffer.IsZipFamily(claimed))
            {
                return contentType;
            }

            if (Compatible(claimed, detected))
            {
                return detected;
            }

            return declared ? throw Contradiction(fileName, contentType, detected, property) : detected;
        }

        if (!ContentSniffer.IsSignatureType(claimed))
        {
            // Text, CSV, JSON, XML, or a binary format without a signature in the table; an unknown type only when named as allowed.
            return ContentTypes.IsKnown(contentType) || allowed?.Any(pattern => !pattern.Contains('*', StringComparison.Ordinal)
                    && ContentTypes.Matches(contentType, pattern)) == true
                ? contentType
                : ContentTypes.OctetStream;
        }

        var actual = detection.IsText ? "text" : "binary content with no known signature";
        return declared
            ? throw Contradiction(fileName, contentType, actual, property)
            : detection.IsText ? "text/plain" : ContentTypes.OctetStream;
    }

    /// <summary>Declared types that describe the detected content less precisely but truthfully.</summary>
    private static bool Compatible(string claimed, string detected) => detected switch
    {
        ContentSniffer.Html => claimed is "application/xhtml+xml" or "text/plain",
        ContentSniffer.Svg => claimed is "application/xml" or "text/xml" or "text/plain",
        _ => ContentSniffer.IsZipFamily(detected) && claimed is ContentSniffer.Zip or "application/x-zip-compressed",
    };

    private static FileValidationException Contradiction(string fileName, string contentType, string detected, string property)
        => new($"'{fileName}' was declared as '{contentType}', but its bytes are "
            + $"{(detected.Contains('/', StringComparison.Ordinal) ? $"'{detected}'" : detected)}. "
            + $"Send the file with its real type (or none, to have it detected); nothing was stored.")
        {
            Property = property,
        };
}
