namespace AlchemyTypes.Encryption;

/// <summary>Why a stored encrypted value could not be decrypted.</summary>
public enum EncryptedValueFailure
{
    /// <summary>The value does not have the <c>v1:&lt;keyId&gt;:&lt;Base64&gt;</c> layout.</summary>
    Malformed,

    /// <summary>The header names a format version this library does not know.</summary>
    UnsupportedVersion,

    /// <summary>The key id in the header is not in the key ring.</summary>
    UnknownKeyId,

    /// <summary>The payload after the header is not valid Base64.</summary>
    NotBase64,

    /// <summary>The payload is shorter than a nonce and an authentication tag.</summary>
    Truncated,

    /// <summary>AES-GCM authentication failed: the value was altered, or encrypted with a different key stored under the same id.</summary>
    AuthenticationFailed,
}
