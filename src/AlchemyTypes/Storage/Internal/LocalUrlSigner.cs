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
/// GET URLs also carry <c>&amp;name={download name}&amp;inline=0|1</c>, covered by the MAC under the label "v2"; a URL without
/// them (signed before they existed) is checked as "v1" and served under the key's last segment, inline when the type allows.
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
        var path = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        var query = $"?method={method}&expires={expires}&max={max}&type={Uri.EscapeDataString(type)}";
        if (options.Method == SignedUrlMethod.Put)
        {
            return new Uri(_baseUrl, path + query + $"&sig={Base64Url.EncodeToString(Mac(method, key, expires, max, type, null, null))}");
        }

        var name = options.FileName ?? key[(key.LastIndexOf('/') + 1)..];
        var inline = options.Inline ? "1" : "0";
        var sig = Base64Url.EncodeToString(Mac(method, key, expires, max, type, name, inline));
        return new Uri(_baseUrl, path + query + $"&name={Uri.EscapeDataString(name)}&inline={inline}&sig={sig}");
    }

    /// <summary>
    /// Whether a request carries a valid, unexpired signature for <paramref name="key"/> and <paramref name="method"/>; the download
    /// <paramref name="name"/> and <paramref name="inline"/> flag are either both given (v2) or both absent (v1).
    /// </summary>
    public bool Verify(string method, string key, string? expires, string? max, string? type, string? name, string? inline, string? sig)
    {
        if (expires is null || max is null || type is null || sig is null || sig.Length > 64 || expires.Length > 20 || max.Length > 20
            || type.Length > 256 || key.Length > 2048 || (name is null) != (inline is null) || name?.Length > 4096 || inline?.Length > 1)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[48];
        if (!Base64Url.TryDecodeFromChars(sig, given, out var written) || written != 32)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(Mac(method, key, expires, max, type, name, inline), given[..written]))
        {
            return false;
        }

        return long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && seconds > _clock.GetUtcNow().ToUnixTimeSeconds();
    }

    // v2 adds the download name and inline flag, each length-prefixed so that no split of the fields gives another's MAC input.
    private byte[] Mac(string method, string key, string expires, string max, string type, string? name, string? inline)
        => HMACSHA256.HashData(_macKey, Encoding.UTF8.GetBytes(name is null || inline is null
            ? $"v1\n{method}\n{key}\n{expires}\n{max}\n{type}"
            : $"v2\n{method}\n{key}\n{expires}\n{max}\n{type}\n{inline}\n{name.Length}:{name}"));
}
