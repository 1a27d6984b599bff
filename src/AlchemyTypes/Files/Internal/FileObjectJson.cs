using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AlchemyTypes.Storage;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// The JSON stored in a FileObject column. Property names follow Advanced Alchemy's (snake case; the key is also read from
/// <c>path</c>), so rows written by either library can be read by the other:
/// <c>{"filename","key","backend","content_type","size","checksum","etag","last_modified","version_id","metadata"}</c>.
/// </summary>
internal static class FileObjectJson
{
    public static string Serialize(FileObject file)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, file);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Serialize(FileObjectList files)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * Math.Max(files.Count, 1));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var file in files)
            {
                Write(writer, file);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static FileObject Deserialize(string json, StorageRegistry? registry)
    {
        using var document = JsonDocument.Parse(json);
        return Read(document.RootElement, registry);
    }

    public static FileObjectList DeserializeList(string json, StorageRegistry? registry)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A FileObjectList column holds a JSON array.");
        }

        var list = new FileObjectList();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            list.Add(Read(element, registry));
        }

        return list;
    }

    private static void Write(Utf8JsonWriter writer, FileObject file)
    {
        if (file.HasPendingContent)
        {
            // Only the interceptor's upload gives a FileObject its size: writing it without one would store a row that
            // points at nothing. Reaching this means the value bypassed SaveChanges (ExecuteUpdate, raw SQL parameters).
            throw new FileObjectStateException($"'{file.FileName}' has not been uploaded; FileObject values are stored through SaveChanges only.");
        }

        writer.WriteStartObject();
        writer.WriteString("filename", file.FileName);
        writer.WriteString("key", file.Key);
        writer.WriteString("backend", file.Backend);
        writer.WriteString("content_type", file.ContentType);
        if (file.Size is { } size)
        {
            writer.WriteNumber("size", size);
        }

        WriteOptional(writer, "checksum", file.Checksum);
        WriteOptional(writer, "etag", file.ETag);
        if (file.LastModified is { } lastModified)
        {
            writer.WriteString("last_modified", lastModified.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        }

        WriteOptional(writer, "version_id", file.VersionId);
        if (file.Metadata.Count > 0)
        {
            writer.WriteStartObject("metadata");
            foreach (var (name, value) in file.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static FileObject Read(JsonElement element, StorageRegistry? registry)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A FileObject is stored as a JSON object.");
        }

        var key = String(element, "key") ?? String(element, "path") ?? throw new FormatException("The stored FileObject has no 'key'.");
        var fileName = String(element, "filename") ?? Path.GetFileName(key);
        Dictionary<string, string>? metadata = null;
        if (element.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in meta.EnumerateObject())
            {
                metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        DateTimeOffset? lastModified = element.TryGetProperty("last_modified", out var lm)
            ? lm.ValueKind switch
            {
                JsonValueKind.String => DateTimeOffset.Parse(lm.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                JsonValueKind.Number => DateTimeOffset.FromUnixTimeMilliseconds((long)(lm.GetDouble() * 1000)),
                _ => null,
            }
            : null;

        var file = FileObject.Load(
            fileName,
            key,
            String(element, "backend"),
            String(element, "content_type") ?? ContentTypes.OctetStream,
            element.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number ? size.GetInt64() : null,
            String(element, "checksum"),
            String(element, "etag"),
            lastModified,
            String(element, "version_id"),
            metadata);
        file.AttachStorage(registry);
        return file;
    }

    private static string? String(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
