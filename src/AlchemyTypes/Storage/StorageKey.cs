using System.Text;

namespace AlchemyTypes.Storage;

/// <summary>
/// The rules every object key obeys, on every backend, so that a key valid on one backend is valid on all and can never
/// address anything outside the store: 1 to 1,024 UTF-8 bytes; segments separated by '/'; no empty, '.' or '..' segment;
/// no leading '/'; no backslash, no ':' in the first segment (drive letters), no control character (NUL included).
/// </summary>
public static class StorageKey
{
    /// <summary>The longest key, in UTF-8 bytes (the S3 and Azure limit is 1,024).</summary>
    public const int MaxLength = 1024;

    /// <summary>
    /// The order listings return keys in: by Unicode code point, which is the order of the keys' UTF-8 bytes (S3's and
    /// Azure's order). It differs from <see cref="StringComparer.Ordinal"/> (UTF-16 code units) only for characters above U+FFFF.
    /// </summary>
    public static IComparer<string> Order { get; } = new CodePointComparer();

    /// <summary>Throws when <paramref name="key"/> breaks a rule; returns it unchanged otherwise.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The key.</returns>
    /// <exception cref="InvalidStorageKeyException">The key breaks a rule; the message says which.</exception>
    public static string Validate(string? key)
    {
        var problem = FindProblem(key);
        return problem is null ? key! : throw new InvalidStorageKeyException($"The storage key '{Printable(key)}' is not allowed: {problem}.");
    }

    /// <summary>Whether <paramref name="key"/> obeys every rule.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValid(string? key) => FindProblem(key) is null;

    /// <summary>
    /// Splits the keys of a batch delete into the distinct valid ones and the invalid ones (with the reason), as every
    /// <see cref="IStorageBackend.DeleteManyAsync"/> must report invalid keys as failures rather than throw.
    /// </summary>
    /// <param name="keys">The keys asked for.</param>
    /// <returns>The valid keys, each once, in order; and the invalid keys with the reason.</returns>
    internal static (List<string> Valid, Dictionary<string, string> Invalid) Partition(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var valid = new List<string>();
        var invalid = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (FindProblem(key) is { } problem)
            {
                invalid[key ?? ""] = $"invalid key: {problem}";
            }
            else
            {
                valid.Add(key);
            }
        }

        return (valid, invalid);
    }

    private static string? FindProblem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "it is empty";
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxLength)
        {
            return $"it is longer than {MaxLength} UTF-8 bytes";
        }

        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                return "it contains a control character (NUL included)";
            }

            if (c == '\\')
            {
                return "it contains a backslash; use '/' between segments";
            }
        }

        if (key[0] == '/')
        {
            return "it starts with '/'; keys are relative";
        }

        var segments = key.Split('/');
        if (segments[0].Contains(':', StringComparison.Ordinal))
        {
            return "its first segment contains ':' (a drive letter or scheme)";
        }

        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//' or a trailing '/')";
            }

            if (segment is "." or "..")
            {
                return "it has a '.' or '..' segment";
            }
        }

        return null;
    }

    private static string Printable(string? key)
    {
        if (key is null)
        {
            return "(null)";
        }

        var builder = new StringBuilder(Math.Min(key.Length, 200));
        foreach (var c in key.AsSpan(0, Math.Min(key.Length, 200)))
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return key.Length > 200 ? builder + "…" : builder.ToString();
    }

    private sealed class CodePointComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var length = Math.Min(x.Length, y.Length);
            for (var i = 0; i < length; i++)
            {
                var a = x[i];
                var b = y[i];
                if (a == b)
                {
                    continue;
                }

                // Surrogates (U+D800-U+DFFF) encode code points above U+FFFF: they sort after every other UTF-16 unit.
                var surrogateA = char.IsSurrogate(a);
                var surrogateB = char.IsSurrogate(b);
                return surrogateA == surrogateB ? a.CompareTo(b) : surrogateA ? 1 : -1;
            }

            return x.Length.CompareTo(y.Length);
        }
    }
}
