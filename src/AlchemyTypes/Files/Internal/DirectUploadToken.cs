using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// The attach token of a direct upload: <c>v1.</c> + Base64url(JSON payload) + <c>.</c> + Base64url(HMAC-SHA256). The MAC key is
/// derived from the configured secret with HKDF (info "AlchemyTypes direct upload token v1") and covers <c>v1.</c> and the
/// payload as sent; the payload binds the backend, the upload key, the expiry, the property, the file name, the declared
/// content type and the largest size. The signature is checked (in constant time) before the payload is parsed.
/// </summary>
internal sealed record DirectUploadToken(
    string Backend, string Key, long ExpiresAt, string Property, string FileName, string ContentType, bool ContentTypeDeclared, long MaxSize)
{
    public const string Prefix = "v1.";

    /// <summary>Longer tokens are refused before any work (a key is at most 1024 characters, a file name 255).</summary>
    public const int MaxLength = 8192;

    private static readonly byte[] KeyInfo = Encoding.ASCII.GetBytes("AlchemyTypes direct upload token v1");

    public string Sign(byte[] secret)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload
        {
            B = Backend, K = Key, E = ExpiresAt, P = Property, N = FileName, T = ContentType, D = ContentTypeDeclared, S = MaxSize,
        });
        var signed = Prefix + Base64Url.EncodeToString(payload);
        return signed + "." + Base64Url.EncodeToString(Mac(secret, signed));
    }

    /// <summary>The token's contents when its signature is right; null for anything else (never says more).</summary>
    public static DirectUploadToken? Verify(byte[] secret, string token)
    {
        if (token.Length is 0 or > MaxLength || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var dot = token.LastIndexOf('.');
        if (dot <= Prefix.Length)
        {
            return null;
        }

        var signed = token[..dot];
        Span<byte> given = stackalloc byte[64];
        if (!Base64Url.TryDecodeFromChars(token.AsSpan(dot + 1), given, out var written) || written != 32)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(Mac(secret, signed), given[..written]))
        {
            return null;
        }

        try
        {
            var payload = JsonSerializer.Deserialize<Payload>(Base64Url.DecodeFromChars(signed.AsSpan(Prefix.Length)));
            return payload is { B: { } b, K: { } k, P: { } p, N: { } n, T: { } t }
                ? new DirectUploadToken(b, k, payload.E, p, n, t, payload.D, payload.S)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null; // signed by us yet unreadable: cannot happen unless the secret leaked; still say nothing
        }
    }

    private static byte[] Mac(byte[] secret, string signed)
    {
        Span<byte> key = stackalloc byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, [], KeyInfo);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed));
        CryptographicOperations.ZeroMemory(key);
        return mac;
    }

    private sealed class Payload
    {
        public string? B { get; set; }

        public string? K { get; set; }

        public long E { get; set; }

        public string? P { get; set; }

        public string? N { get; set; }

        public string? T { get; set; }

        public bool D { get; set; }

        public long S { get; set; }
    }
}
