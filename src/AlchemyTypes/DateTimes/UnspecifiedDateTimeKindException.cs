namespace AlchemyTypes;

/// <summary>
/// Thrown when a <see cref="DateTime"/> whose <see cref="DateTime.Kind"/> is <see cref="DateTimeKind.Unspecified"/>
/// is written to a UTC-enforced property. A naive date and time cannot be placed on the UTC timeline without guessing,
/// so AlchemyTypes refuses it instead of storing a value that may be hours off.
/// </summary>
public sealed class UnspecifiedDateTimeKindException : AlchemyTypesException
{
    /// <summary>Creates an exception with no message.</summary>
    public UnspecifiedDateTimeKindException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public UnspecifiedDateTimeKindException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause.</param>
    public UnspecifiedDateTimeKindException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the entity type and property that received the naive value.</summary>
    /// <param name="entityType">The display name of the entity type.</param>
    /// <param name="property">The property name.</param>
    public UnspecifiedDateTimeKindException(string entityType, string property)
        : base(
            $"The value written to '{entityType}.{property}' has DateTimeKind.Unspecified. This property is UTC-enforced by AlchemyTypes: "
            + "pass a UTC value (DateTime.UtcNow, DateTime.SpecifyKind(value, DateTimeKind.Utc)) or a Local value to be converted, "
            + "or opt the property out with [NoUtcEnforcement] or .HasUtcEnforcement(false).")
    {
        EntityType = entityType;
        Property = property;
    }

    /// <summary>The display name of the entity type that received the value, when known.</summary>
    public string? EntityType { get; }

    /// <summary>The name of the property that received the value, when known.</summary>
    public string? Property { get; }
}
