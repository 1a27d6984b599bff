using AlchemyTypes;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using AlchemyTypes.Infrastructure.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Per-property configuration of <see cref="FileObject"/> and <see cref="FileObjectList"/> properties.</summary>
public static class FileObjectPropertyBuilderExtensions
{
    /// <summary>Stores the property's files in the backend registered as <paramref name="backend"/>.</summary>
    /// <param name="propertyBuilder">A FileObject or FileObjectList property.</param>
    /// <param name="backend">A name given to <c>AddStorage</c>.</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder StoredIn(this PropertyBuilder propertyBuilder, string backend)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        AlchemyTypes.Storage.StorageRegistry.ValidateName(backend);
        return propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.FileBackend, backend);
    }

    /// <summary>Refuses files larger than <paramref name="bytes"/>; nothing larger is stored.</summary>
    /// <param name="propertyBuilder">A FileObject or FileObjectList property.</param>
    /// <param name="bytes">The largest allowed size, more than zero.</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder HasMaxFileSize(this PropertyBuilder propertyBuilder, long bytes)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        return propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.MaxFileSize, bytes);
    }

    /// <summary>Accepts only the given content types (exact, or <c>type/*</c>).</summary>
    /// <param name="propertyBuilder">A FileObject or FileObjectList property.</param>
    /// <param name="contentTypes">The allowed types.</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder HasAllowedContentTypes(this PropertyBuilder propertyBuilder, params string[] contentTypes)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        ArgumentNullException.ThrowIfNull(contentTypes);
        if (contentTypes.Length == 0)
        {
            throw new ArgumentException("Give at least one content type.", nameof(contentTypes));
        }

        return propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.AllowedContentTypes, string.Join(',', contentTypes));
    }
}
