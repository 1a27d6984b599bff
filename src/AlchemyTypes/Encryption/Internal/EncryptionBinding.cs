using System.Buffers.Binary;
using System.Text;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// The place an encrypted value belongs to: the table (with its schema) and the column it is stored in. Its canonical
/// bytes are appended to the AES-GCM associated data of <c>v2</c> values, and they are the HKDF <c>info</c> of the
/// column's blind-index key, so a value or an index copied to another column fails (see SECURITY.md).
/// </summary>
/// <remarks>
/// <para>
/// Canonical bytes: the ASCII tag <c>AlchemyTypes.column.v2</c>, then the schema (empty when none), the table and the
/// column, each as a 4-byte big-endian length followed by its UTF-8 bytes. Length prefixes make the encoding
/// unambiguous whatever characters the names contain.
/// </para>
/// <para>
/// A binding is created with its property's converter while the model is finalizing, and resolved by
/// <see cref="EncryptionBindingConvention"/> once the model is final (so table and column names changed by later
/// conventions, naming-convention plugins or table splitting are the ones bound). Rows are not part of the binding: a value
/// converter sees one value, never its row.
/// </para>
/// </remarks>
internal sealed class EncryptionBinding(string entityType, string property)
{
    private const string Tag = "AlchemyTypes.column.v2";
    private byte[]? _bytes;
    private string? _description;

    public string EntityType { get; } = entityType;

    public string Property { get; } = property;

    /// <summary>The canonical bytes described on the type.</summary>
    public byte[] Bytes => Volatile.Read(ref _bytes)
        ?? throw new InvalidOperationException($"The encryption binding of '{EntityType}.{Property}' was used before the model was finalized.");

    /// <summary>Creates a resolved binding (tests, tools).</summary>
    public static EncryptionBinding For(string? schema, string table, string column)
    {
        var binding = new EncryptionBinding(table, column);
        binding.Resolve(schema, table, column);
        return binding;
    }

    /// <summary>Fixes the table and column; called once per model.</summary>
    public void Resolve(string? schema, string table, string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentException.ThrowIfNullOrEmpty(column);
        _description = (schema is null ? $"table \"{table}\"" : $"table \"{schema}\".\"{table}\"") + $", column \"{column}\"";
        Volatile.Write(ref _bytes, Encode(Tag, schema ?? "", table, column));
    }

    /// <summary>For example: table "Customers", column "Email".</summary>
    public override string ToString() => _description ?? $"{EntityType}.{Property} (not resolved)";

    /// <summary>The ASCII <paramref name="tag"/>, then each part as a 4-byte big-endian length and its UTF-8 bytes.</summary>
    internal static byte[] Encode(string tag, params string[] parts)
    {
        var length = Encoding.ASCII.GetByteCount(tag) + parts.Sum(p => 4 + Encoding.UTF8.GetByteCount(p));
        var bytes = new byte[length];
        var offset = Encoding.ASCII.GetBytes(tag, bytes);
        foreach (var part in parts)
        {
            var count = Encoding.UTF8.GetBytes(part, bytes.AsSpan(offset + 4));
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(offset), count);
            offset += 4 + count;
        }

        return bytes;
    }
}
