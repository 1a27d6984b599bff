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
/// misconfiguration fails when the model is first used, not on the first upload), and the outbox entity.
/// </summary>
internal sealed class FileObjectConvention(StorageRegistry? registry, string? jsonColumnType) : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        var any = false;
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes())
        {
            foreach (var property in entityType.GetDeclaredProperties())
            {
                var isList = property.ClrType == typeof(FileObjectList);
                if (property.ClrType != typeof(FileObject) && !isList)
                {
                    continue;
                }

                any = true;
                Configure(entityType, property, isList);
            }
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

    private void Configure(IConventionEntityType entityType, IConventionProperty property, bool isList)
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

        if (property.FindAnnotation(AlchemyTypesAnnotationNames.FileBackend)?.Value is string backend && registry is not null && !registry.TryGet(backend, out _))
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
                    throw new AlchemyTypesConfigurationException($"'{name}' allows the content type '{type}', which is not a valid type/subtype or type/* pattern.");
                }
            }
        }
    }
}
