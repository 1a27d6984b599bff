using System.Text;
using AlchemyTypes.Files.Internal;

namespace AlchemyTypes.Tests.Files;

public sealed class ContentSnifferTests
{
    public static TheoryData<string, byte[]> Signatures => new()
    {
        { "application/pdf", "%PDF-1.4\n%\xE2\xE3"u8.ToArray() },
        { "image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0] },
        { "image/jpeg", [0xFF, 0xD8, 0xFF, 0xDB, 0] },
        { "image/gif", "GIF87a\x01\0"u8.ToArray() },
        { "image/webp", [.. "RIFF"u8, 1, 2, 3, 4, .. "WEBPVP8L"u8] },
        { "video/mp4", [0, 0, 0, 0x20, .. "ftypmp42"u8, 0, 0, 0, 0] },
        { "video/quicktime", [0, 0, 0, 0x14, .. "ftypqt  "u8, 0, 0, 0, 0] },
        { "application/zip", [.. "PK\x03\x04"u8, 20, 0, 0, 0] },
        { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", [.. "PK\x03\x04"u8, .. new byte[26], .. "word/document.xml"u8] },
        { "application/epub+zip", [.. "PK\x03\x04"u8, .. new byte[26], .. "mimetypeapplication/epub+zip"u8] },
        { "text/html", "\n\t<HTML lang=en>"u8.ToArray() },
        { "text/html", "<!-- comment --><p>hi</p>"u8.ToArray() },
        { "text/html", "<script>alert(1)</script>"u8.ToArray() },
        { "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>"u8.ToArray() },
        { "image/svg+xml", "<?xml version='1.0'?><!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' 'x'><svg>"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Each_signature_of_the_table_is_recognised(string expected, byte[] head)
        => Assert.Equal(expected, ContentSniffer.Detect(head).ContentType);

    [Theory]
    [InlineData("id,name\n1,Alice\n")]
    [InlineData("{\"a\": [1, 2]}")]
    [InlineData("<?xml version=\"1.0\"?><invoice/>")]
    [InlineData("Grüße — plain UTF-8 text")]
    [InlineData("")]
    [InlineData("<bold> is not a tag of the HTML table")]
    public void Text_without_a_signature_is_text(string text)
    {
        var detection = ContentSniffer.Detect(Encoding.UTF8.GetBytes(text));
        Assert.Null(detection.ContentType);
        Assert.True(detection.IsText);
    }

    [Fact]
    public void A_multi_byte_character_cut_by_the_head_is_still_text()
    {
        var bytes = Encoding.UTF8.GetBytes("abc€");
        Assert.True(ContentSniffer.Detect(bytes.AsSpan(0, bytes.Length - 1)).IsText);
    }

    [Theory]
    [InlineData(new byte[] { 0, 1, 2, 3 }, false)]
    [InlineData(new byte[] { 0xC3, 0x28, 0x41 }, false)] // invalid UTF-8
    [InlineData(new byte[] { 0x25, 0x50, 0x44 }, true)] // "%PD": a cut PDF signature is not a PDF
    public void Content_without_a_signature_has_no_type(byte[] head, bool isText)
    {
        var detection = ContentSniffer.Detect(head);
        Assert.Null(detection.ContentType);
        Assert.Equal(isText, detection.IsText);
    }
}
