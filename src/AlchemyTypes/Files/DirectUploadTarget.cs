namespace AlchemyTypes;

/// <summary>
/// Where and how a browser uploads one file directly to storage, and the token that attaches it afterwards. Serializes to JSON
/// as <c>{ url, method, headers, expiresAt, token }</c> for the browser.
/// </summary>
public sealed class DirectUploadTarget
{
    internal DirectUploadTarget(Uri url, IReadOnlyDictionary<string, string> headers, DateTimeOffset expiresAt, string token)
    {
        Url = url;
        Headers = headers;
        ExpiresAt = expiresAt;
        Token = token;
    }

    /// <summary>The URL to send the file's bytes to, as the whole request body.</summary>
    public Uri Url { get; }

    /// <summary>The HTTP method: always <c>PUT</c>.</summary>
    public string Method => "PUT";

    /// <summary>Headers the upload request must carry exactly (for example <c>Content-Type</c>, and <c>x-ms-blob-type</c> on Azure).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>When the URL and the token stop working.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>
    /// The tamper-proof attach token: give it back to the app after the upload, which passes it to
    /// <c>AttachDirectUploadAsync</c>. It names no object a client could change; see SECURITY.md for its format.
    /// </summary>
    public string Token { get; }
}
