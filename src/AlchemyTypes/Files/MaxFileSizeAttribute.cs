namespace AlchemyTypes;

/// <summary>Refuses files larger than <see cref="Bytes"/> for this property, before or while uploading: nothing larger is stored.</summary>
/// <param name="bytes">The largest allowed size, more than zero.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class MaxFileSizeAttribute(long bytes) : Attribute
{
    /// <summary>The largest allowed size in bytes.</summary>
    public long Bytes { get; } = bytes;
}
