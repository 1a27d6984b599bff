using System.IO.Compression;
using System.Text;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>Small but genuine files of each format of the content-type signature table.</summary>
public static class ContentSamples
{
    public static byte[] Pdf => Pad("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"u8);

    public static byte[] Png => Pad([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8]);

    public static byte[] Jpeg => Pad([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, .. "JFIF\0"u8]);

    public static byte[] Gif => Pad("GIF89a\x01\0\x01\0"u8);

    public static byte[] WebP => Pad([.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBPVP8 "u8]);

    public static byte[] Mp4 => Pad([0, 0, 0, 0x18, .. "ftypisom"u8, 0, 0, 2, 0, .. "isomiso2mp41"u8]);

    public static byte[] Html => Encoding.UTF8.GetBytes("\uFEFF  <!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>");

    public static byte[] Svg => Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>\n<!-- drawn -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
        + "onload=\"alert(1)\"/>");

    public static byte[] Text => "id,name\n1,Alice\n2,Bob\n"u8.ToArray();

    public static byte[] Json => "{\"name\": \"Alice\"}"u8.ToArray();

    public static byte[] Binary => Pad([0x00, 0x13, 0x37, 0xFE, 0x01]);

    public static byte[] Docx => Zip("[Content_Types].xml", "_rels/.rels", "word/document.xml");

    public static byte[] Xlsx => Zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml");

    public static byte[] Pptx => Zip("[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml");

    public static byte[] PlainZip => Zip("readme.txt", "data/values.csv");

    private static byte[] Zip(params string[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in entries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write("<x>" + name + "</x>");
            }
        }

        return buffer.ToArray();
    }

    private static byte[] Pad(ReadOnlySpan<byte> head)
    {
        // A recognisable start followed by bytes that are not text, as real binary files have.
        var bytes = new byte[Math.Max(head.Length + 64, 256)];
        head.CopyTo(bytes);
        for (var i = head.Length; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7);
        }

        return bytes;
    }
}
