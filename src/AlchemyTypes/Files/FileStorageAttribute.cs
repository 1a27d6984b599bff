namespace AlchemyTypes;

/// <summary>Stores the files of a <see cref="FileObject"/> or <see cref="FileObjectList"/> property in the named backend.</summary>
/// <param name="backend">A name registered with <c>AddStorage</c>.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class FileStorageAttribute(string backend) : Attribute
{
    /// <summary>The backend name.</summary>
    public string Backend { get; } = backend;
}
