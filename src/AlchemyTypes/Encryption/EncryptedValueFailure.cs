namespace AlchemyTypes.Encryption;

/// <summary>Why a stored encrypted value could not be decrypted.</summary>
public enum EncryptedValueFailure
{
    /// <summary>The value does not have the <c>v2:&lt;keyId&gt;:&lt;Base64&gt;</c> (or <c>v1</c>) layout.</summary>
    Malformed,

    /// <summary>The header names a format version this library does not know.</summary>
    UnsupportedVersion,

    /// <summary>The key id in the header is not in the key ring.</summary>
    UnknownKeyId,

    /// <summary>The payload after the header is not valid Base64.</summary>
    NotBase64,

    /// <summary>The payload is shorter than a nonce and an authentication tag.</summary>
    Truncated,

    /// <summary>
    /// AES-GCM authentication failed: the value was altered, copied from another column or table (the <c>v2</c> format binds
    /// each value to its place), or encrypted with a different key stored under the same id.
    /// </summary>
    AuthenticationFailed,

    /// <summary>
    /// The value is in the <c>v1</c> format (bound to its key id only, not to its table and column), or in the <c>v2</c>
    /// format (not bound to its row) in a property bound to its row, and the key ring refuses such values
    /// (<see cref="EncryptionKeyRing.RejectUnboundValues"/>).
    /// </summary>
    Unbound,

    /// <summary>
    /// The value is bound to its row (format <c>v3</c>) and was read into another row: it was copied there from the row it
    /// was encrypted for.
    /// </summary>
    WrongRow,

    /// <summary>
    /// The value is bound to its row (format <c>v3</c>) and was read through a query that could not check its row (a
    /// projection that further operators compose on); <c>SaveChanges</c> refused to bind it to another row.
    /// </summary>
    UncheckedRow,
}
