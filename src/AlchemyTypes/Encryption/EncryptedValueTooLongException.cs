namespace AlchemyTypes.Encryption;

/// <summary>Thrown when a plaintext longer than the property's maximum length is written to an encrypted property.</summary>
public sealed class EncryptedValueTooLongException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public EncryptedValueTooLongException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EncryptedValueTooLongException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause.</param>
    public EncryptedValueTooLongException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the entity type, the property, the limit and the length given.</summary>
    /// <param name="entityType">The display name of the entity type.</param>
    /// <param name="property">The property name.</param>
    /// <param name="maxLength">The limit, in characters.</param>
    /// <param name="length">The length of the rejected value, in characters.</param>
    public EncryptedValueTooLongException(string entityType, string property, int maxLength, int length)
        : base($"The value written to the encrypted property '{entityType}.{property}' has {length} characters; at most {maxLength} are allowed. "
            + "Shorten the value, or raise MaxLength on [Encrypted] / IsEncrypted(maxLength) (and migrate the column).")
    {
        EntityType = entityType;
        Property = property;
        MaxLength = maxLength;
        Length = length;
    }

    /// <summary>The display name of the entity type, when known.</summary>
    public string? EntityType { get; }

    /// <summary>The property name, when known.</summary>
    public string? Property { get; }

    /// <summary>The maximum length, in characters.</summary>
    public int MaxLength { get; }

    /// <summary>The length of the rejected value, in characters.</summary>
    public int Length { get; }
}
