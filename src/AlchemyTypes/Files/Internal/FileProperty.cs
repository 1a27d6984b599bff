using Microsoft.EntityFrameworkCore.Metadata;
using AlchemyTypes.Infrastructure.Internal;

namespace AlchemyTypes.Files.Internal;

/// <summary>A FileObject or FileObjectList property and its rules, cached per entity type.</summary>
internal sealed record FileProperty(IProperty Property, bool IsList, string? Backend, long? MaxSize, string[]? AllowedContentTypes, string DisplayName)
{
    public static FileProperty[] Of(IEntityType entityType)
        => entityType.GetOrAddRuntimeAnnotationValue(
            AlchemyTypesAnnotationNames.FileProperties,
            static type => type!.GetProperties()
                .Where(p => p.ClrType == typeof(FileObject) || p.ClrType == typeof(FileObjectList))
                .Select(p => new FileProperty(
                    p,
                    p.ClrType == typeof(FileObjectList),
                    p.FindAnnotation(AlchemyTypesAnnotationNames.FileBackend)?.Value as string,
                    p.FindAnnotation(AlchemyTypesAnnotationNames.MaxFileSize)?.Value as long?,
                    (p.FindAnnotation(AlchemyTypesAnnotationNames.AllowedContentTypes)?.Value as string)?.Split(','),
                    $"{type.DisplayName()}.{p.Name}"))
                .ToArray(),
            entityType);

    public IEnumerable<FileObject> Items(object? value)
        => value switch
        {
            FileObject file => [file],
            FileObjectList list => list,
            _ => [],
        };
}
