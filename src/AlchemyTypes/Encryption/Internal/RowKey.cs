using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// The identity of a row that a <c>v3</c> encrypted value is bound to: SHA-256 of the ASCII tag <c>AlchemyTypes.row.v3</c>
/// followed by each primary-key value (in key order) as a 4-byte big-endian length and the UTF-8 bytes of its invariant
/// text (the provider value when the key has a value converter; GUIDs as <c>D</c>, dates as <c>O</c>, bytes as Base64).
/// Fixed-size, so the column's maximum length stays known.
/// </summary>
internal static class RowKey
{
    public const int Size = SHA256.HashSizeInBytes;

    private const string Tag = "AlchemyTypes.row.v3";

    public static byte[] Compute(IReadOnlyList<IProperty> keyProperties, Func<IProperty, object?> valueOf)
    {
        var parts = new string[keyProperties.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var property = keyProperties[i];
            var value = valueOf(property);
            if (property.GetValueConverter() is { } converter && value is not null)
            {
                value = converter.ConvertToProvider(value);
            }

            parts[i] = Text(value ?? throw new InvalidOperationException($"The key '{property.DeclaringType.DisplayName()}.{property.Name}' is null."));
        }

        return SHA256.HashData(EncryptionBinding.Encode(Tag, parts));
    }

    private static string Text(object value) => value switch
    {
        string text => text,
        Guid guid => guid.ToString("D"),
        byte[] bytes => Convert.ToBase64String(bytes),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
