using System.Reflection;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using AlchemyTypes.Infrastructure.Internal;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Configures FileObject and FileObjectList properties when the model is finalised: JSON change tracking, the provider's
/// JSON column type where it has one (<see cref="JsonColumnType"/>: <c>jsonb</c> on PostgreSQL, <c>json</c> on MySQL and
/// MariaDB), the per-property rules from attributes, a check that every backend named exists (so a
/// misconfiguration fails when the model is first used, not on the first upload), and the outbox entity. A file the
/// lifecycle cannot protect is refused here, when the model is built (see <see cref="RefuseUnprotected"/>).
/// </summary>
internal sealed class FileObjectConvention(StorageRegistry? registry, string? jsonColumnType) : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        var any = false;
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes())
        {
            any |= ConfigureType(entityType);
            RefuseUnprotected(entityType, entityType.IsMappedToJson() ? "JSON" : null);
        }

        if (any && registry is null)
        {
            throw new AlchemyTypesConfigurationException(
                "The model has FileObject properties but no storage backend is configured. "
                + "Add one: optionsBuilder.AddAlchemyTypes(a => a.AddStorage(\"files\", new LocalFileSystemStorageBackend(path))).");
        }

        if (any)
        {
            // The outbox joins the model only where files are: not in models without FileObject properties, such as the
            // one EF Core builds for __EFMigrationsHistory with this same convention set. Added at data-annotation level,
            // because EF's model clean-up removes convention-added entity types that nothing references; and first among
            // the finalizing conventions, so the others (type mapping, UTC) still process it.
            modelBuilder.Entity(typeof(PendingStorageDelete), fromDataAnnotation: true);
        }

        modelBuilder.HasAnnotation(AlchemyTypesAnnotationNames.HasFileProperties, any ? true : null);
    }

    /// <summary>
    /// Refuses FileObject and FileObjectList properties stored inside a JSON document: an owned type mapped with
    /// <c>OwnsOne/OwnsMany(…).ToJson()</c>, a complex type mapped with <c>ToJson()</c>, or an element of an EF complex
    /// collection. Reconciliation and bulk deletes find file references column by column, so such a file would be deleted
    /// as an orphan (and a complex collection's elements are not seen by the save step at all): the model is refused
    /// before any file can be lost.
    /// </summary>
    private static void RefuseUnprotected(IConventionTypeBase type, string? container)
    {
        if (container is not null)
        {
            foreach (var property in type.GetDeclaredProperties())
            {
                if (property.ClrType == typeof(FileObject) || property.ClrType == typeof(FileObjectList))
                {
                    var where = container == "JSON"
                        ? "an owned or complex type mapped to a JSON column (ToJson())"
                        : "an element of the complex collection '" + container + "'";
                    throw new AlchemyTypesConfigurationException(
                        $"'{type.DisplayName()}.{property.Name}' is a {property.ClrType.Name} inside {where}. AlchemyTypes cannot protect "
                        + "such a file: reconciliation and bulk deletes find file references column by column, so the file would be "
                        + "deleted as an orphan. Map the file to a column of its own instead: an owned type without ToJson() "
                        + "(OwnsOne in the owner's table or OwnsMany in a table of its own), a complex property that is not a "
                        + "collection and not mapped to JSON, a child entity for a list of items each with a file, or a "
                        + "FileObjectList property on the owner.");
                }
            }
        }

        foreach (var complex in type.GetDeclaredComplexProperties())
        {
            var inner = container
                ?? (complex.IsCollection ? $"{type.DisplayName()}.{complex.Name}" : complex.ComplexType.IsMappedToJson() ? "JSON" : null);
            RefuseUnprotected(complex.ComplexType, inner);
        }
    }

    /// <summary>Configures the file properties of a type and of its complex properties (EF complex types), nested.</summary>
    private bool ConfigureType(IConventionTypeBase type)
    {
        var any = false;
        foreach (var property in type.GetDeclaredProperties())
        {
            var isList = property.ClrType == typeof(FileObjectList);
            if (property.ClrType != typeof(FileObject) && !isList)
            {
                continue;
            }

            any = true;
            Configure(type, property, isList);
        }

        foreach (var complex in type.GetDeclaredComplexProperties())
        {
            any |= ConfigureType(complex.ComplexType);
        }

        return any;
    }

    private void Configure(IConventionTypeBase entityType, IConventionProperty property, bool isList)
    {
        var builder = property.Builder;
        // Set the converter on the property itself: with a JSON column, the provider (Npgsql) would otherwise pick its own
        // JSON serialisation of the CLR type instead of the converter found through the selector.
        builder.HasConversion(isList ? new FileObjectListConverter(registry) : new FileObjectConverter(registry));
        builder.HasValueComparer(isList ? new FileObjectListComparer() : new FileObjectComparer());
        if (jsonColumnType is not null && property.GetColumnType() is null)
        {
            builder.HasColumnType(jsonColumnType);
        }

        var member = (MemberInfo?)property.PropertyInfo ?? property.FieldInfo;
        var name = $"{entityType.DisplayName()}.{property.Name}";
        if (member?.GetCustomAttribute<FileStorageAttribute>(inherit: true) is { } storage)
        {
            builder.HasAnnotation(AlchemyTypesAnnotationNames.FileBackend, storage.Backend, fromDataAnnotation: true);
        }

        if (member?.GetCustomAttribute<MaxFileSizeAttribute>(inherit: true) is { } maxSize)
        {
            builder.HasAnnotation(AlchemyTypesAnnotationNames.MaxFileSize, maxSize.Bytes, fromDataAnnotation: true);
        }

        if (member?.GetCustomAttribute<AllowedContentTypesAttribute>(inherit: true) is { } allowed)
        {
            builder.HasAnnotation(AlchemyTypesAnnotationNames.AllowedContentTypes, string.Join(',', allowed.ContentTypes), fromDataAnnotation: true);
        }

        if (property.FindAnnotation(AlchemyTypesAnnotationNames.FileBackend)?.Value is string backend && registry is not null
            && !registry.TryGet(backend, out _))
        {
            throw new AlchemyTypesConfigurationException(
                $"'{name}' stores its files in the backend '{backend}', which is not registered (registered: {string.Join(", ", registry.Names)}). "
                + $"Register it with AddAlchemyTypes(a => a.AddStorage(\"{backend}\", backend)) or fix the name.");
        }

        if (property.FindAnnotation(AlchemyTypesAnnotationNames.MaxFileSize)?.Value is long max && max <= 0)
        {
            throw new AlchemyTypesConfigurationException($"'{name}' has a maximum file size of {max}; it must be more than zero.");
        }

        if (property.FindAnnotation(AlchemyTypesAnnotationNames.AllowedContentTypes)?.Value is string types)
        {
            foreach (var type in types.Split(','))
            {
                if (type != "*/*" && !ContentTypes.IsValid(type.EndsWith("/*", StringComparison.Ordinal) ? type[..^1] + "x" : type))
                {
                    throw new AlchemyTypesConfigurationException($"'{name}' allows the content type '{type}', which is not a valid "
                        + $"type/subtype or type/* pattern.");
                }
            }
        }
    }
}
