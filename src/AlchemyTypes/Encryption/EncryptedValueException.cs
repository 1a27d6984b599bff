namespace AlchemyTypes.Encryption;

/// <summary>
/// Thrown when a stored encrypted value cannot be decrypted: it was altered, truncated, is not Base64, names a key the
/// ring does not hold, or was encrypted with another key. The value is never returned in part.
/// </summary>
public sealed class EncryptedValueException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public EncryptedValueException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EncryptedValueException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause.</param>
    public EncryptedValueException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the entity type, the property and the reason.</summary>
    /// <param name="entityType">The display name of the entity type.</param>
    /// <param name="property">The property name.</param>
    /// <param name="failure">Why decryption failed.</param>
    /// <param name="keyId">The key id found in the value, if any.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public EncryptedValueException(string entityType, string property, EncryptedValueFailure failure, string? keyId = null, Exception? innerException = null)
        : base(Describe(entityType, property, failure, keyId), innerException)
    {
        EntityType = entityType;
        Property = property;
        Failure = failure;
        KeyId = keyId;
    }

    /// <summary>The display name of the entity type whose value failed, when known.</summary>
    public string? EntityType { get; }

    /// <summary>The property whose value failed, when known.</summary>
    public string? Property { get; }

    /// <summary>Why decryption failed.</summary>
    public EncryptedValueFailure Failure { get; }

    /// <summary>The key id read from the value's header, when there was one.</summary>
    public string? KeyId { get; }

    private static string Describe(string entityType, string property, EncryptedValueFailure failure, string? keyId)
    {
        var what = failure switch
        {
            EncryptedValueFailure.Malformed => "does not have the layout 'v2:<keyId>:<Base64>' of an AlchemyTypes encrypted value",
            EncryptedValueFailure.UnsupportedVersion => "has a format version this version of AlchemyTypes does not know",
            EncryptedValueFailure.UnknownKeyId => $"was encrypted with key '{keyId}', which is not in the key ring: add that key to the ring "
                + $"(old keys must stay until ReEncryptAsync has run)",
            EncryptedValueFailure.NotBase64 => "has a payload that is not valid Base64",
            EncryptedValueFailure.Truncated => "is too short to hold a nonce and an authentication tag (truncated?)",
            EncryptedValueFailure.AuthenticationFailed => $"failed AES-GCM authentication: it was altered, copied from another column, table or schema "
                + $"(values are bound to their place), or key '{keyId}' in the ring is not the key it was encrypted with",
            EncryptedValueFailure.Unbound => "is in a format not bound to its place (v1: not to its table and column; v2 in a property bound to its "
                + "row: not to its row), and the key ring rejects such values (RejectUnboundValues): restore the value, or run "
                + "ReEncryptAsync before calling RejectUnboundValues",
            EncryptedValueFailure.WrongRow => "was encrypted for another row and copied into this one (the property is bound to its row): "
                + "restore the row's own value from a backup, or set a new one",
            EncryptedValueFailure.UncheckedRow => "was read through a query that cannot check the row it belongs to (a projection that "
                + "further operators compose on), and SaveChanges refused to bind it to another row: it may be another row's value "
                + "copied into the one queried. Load the entity it belongs to (which checks its row) and copy the value from there",
            _ => "could not be decrypted",
        };
        return $"The stored value of '{entityType}.{property}' {what}. No part of it was returned.";
    }
}
