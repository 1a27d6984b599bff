namespace AlchemyTypes;

/// <summary>Accepts only files whose content type matches one of <see cref="ContentTypes"/> (exact types or <c>type/*</c>).</summary>
/// <param name="contentTypes">The allowed types, e.g. <c>"image/png"</c>, <c>"image/*"</c>.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class AllowedContentTypesAttribute(params string[] contentTypes) : Attribute
{
    /// <summary>The allowed types.</summary>
    public IReadOnlyList<string> ContentTypes { get; } = contentTypes;
}
