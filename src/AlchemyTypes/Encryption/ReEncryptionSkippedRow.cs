namespace AlchemyTypes.Encryption;

/// <summary>A row <c>ReEncryptAsync</c> left as it was because one of its encrypted values could not be read.</summary>
public sealed class ReEncryptionSkippedRow
{
    /// <summary>Creates a skipped-row report.</summary>
    /// <param name="key">The row's primary-key values, in key order.</param>
    /// <param name="property">The property whose value failed.</param>
    /// <param name="failure">Why it failed.</param>
    /// <param name="reason">The failure's message (never the value).</param>
    public ReEncryptionSkippedRow(IReadOnlyList<object?> key, string? property, EncryptedValueFailure failure, string reason)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(reason);
        Key = key;
        Property = property;
        Failure = failure;
        Reason = reason;
    }

    /// <summary>The row's primary-key values, in key order.</summary>
    public IReadOnlyList<object?> Key { get; }

    /// <summary>The property whose value failed, when known.</summary>
    public string? Property { get; }

    /// <summary>Why the value could not be read (for example <see cref="EncryptedValueFailure.WrongRow"/> for a value copied from another row).</summary>
    public EncryptedValueFailure Failure { get; }

    /// <summary>The failure's message: what was wrong and what to do. It never contains the value.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => $"row ({string.Join(", ", Key)}): {Property} {Failure}";
}
