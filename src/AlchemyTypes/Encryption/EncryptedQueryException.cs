namespace AlchemyTypes.Encryption;

/// <summary>
/// Thrown before any SQL is sent when a query or bulk statement would handle an encrypted property in a way that cannot be
/// correct on ciphertexts: for example an <c>ExecuteUpdate</c> that computes an encrypted property from other columns,
/// or that writes a blind-index column directly.
/// </summary>
public sealed class EncryptedQueryException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public EncryptedQueryException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EncryptedQueryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause.</param>
    public EncryptedQueryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the entity type and the property.</summary>
    /// <param name="entityType">The display name of the entity type.</param>
    /// <param name="property">The property name.</param>
    /// <param name="message">What was refused and what to do instead.</param>
    public EncryptedQueryException(string entityType, string property, string message)
        : base(message)
    {
        EntityType = entityType;
        Property = property;
    }

    /// <summary>The display name of the entity type, when known.</summary>
    public string? EntityType { get; }

    /// <summary>The property name, when known.</summary>
    public string? Property { get; }
}
