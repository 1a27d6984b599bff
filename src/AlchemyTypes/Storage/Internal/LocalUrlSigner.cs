using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AlchemyTypes.Storage.Internal;

/// <summary>
/// Signed URLs of the local backend: <c>{BaseUrl}{key, each segment escaped}?method=GET|PUT&amp;expires={unix seconds}&amp;max={bytes}
/// &amp;type={content type}&amp;sig={Base64url HMAC-SHA256}</c>. The MAC key is derived from the configured secret with HKDF (info
/// "AlchemyTypes local signed URL v1"); the MAC covers a version label, the method, the key, the expiry, the size limit and the
/// content type, so changing any of them, or using the URL for another key, fails the check. Compared in constant time.
/// </summary>
internal sealed class LocalUrlSigner
{
    private static readonly byte[] KeyInfo = Encoding.ASCII.GetBytes("AlchemyTypes local signed URL v1");
    private readonly byte[] _macKey;
    private readonly Uri _baseUrl;
    private readonly TimeProvider _clock;

    public LocalUrlSigner(byte[] secret, Uri baseUrl, TimeProvider clock)
    {
        _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, [], KeyInfo);
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _clock = clock;
    }

    /// <summary>The path the endpoint is mapped at, without the trailing slash ("" at the root).</summary>
    public string BasePath => _baseUrl.AbsolutePath.TrimEnd('/');

    public Uri Sign(string key, SignedUrlOptions options, long maxUploadSize)
    {
        var method = options.Method == SignedUrlMethod.Put ? "PUT" : "GET";
        var expires = (_clock.GetUtcNow() + options.ExpiresIn).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var max = options.Method == SignedUrlMethod.Put
            ? Math.Min(options.MaxSize ?? maxUploadSize, maxUploadSize).ToString(CultureInfo.InvariantCulture)
            : "";
        var type = options.Method == SignedUrlMethod.Put ? options.ContentType ?? "" : "";
        var sig = Base64Url.EncodeToString(Mac(method, key, expires, max, type));
        var path = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        return new Uri(_baseUrl, path + $"?method={method}&expires={expires}&max={max}&type={Uri.EscapeDataString(type)}&sig={sig}");
    }

    /// <summary>Whether a request carries a valid, unexpired signature for <paramref name="key"/> and <paramref name="method"/>.</summary>
    public bool Verify(string method, string key, string? expires, string? max, string? type, string? sig)
    {
        if (expires is null || max is null || type is null || sig is null || sig.Length > 64 || expires.Length > 20 || max.Length > 20
            || type.Length > 256 || key.Length > 2048)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[48];
        if (!Base64Url.TryDecodeFromChars(sig, given, out var written) || written != 32)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(Mac(method, key, expires, max, type), given[..written]))
        {
            return false;
        }

        return long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && seconds > _clock.GetUtcNow().ToUnixTimeSeconds();
    }

    private byte[] Mac(string method, string key, string expires, string max, string type)
        => HMACSHA256.HashData(_macKey, Encoding.UTF8.GetBytes($"v1\n{method}\n{key}\n{expires}\n{max}\n{type}"));
}
