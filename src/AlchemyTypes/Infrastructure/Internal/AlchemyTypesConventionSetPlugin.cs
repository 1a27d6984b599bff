using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using AlchemyTypes.DateTimes.Internal;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Keys.Internal;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>Adds the AlchemyTypes conventions to EF Core's convention set.</summary>
internal sealed class AlchemyTypesConventionSetPlugin(
    ProviderConventionSetBuilderDependencies dependencies,
    AlchemyTypesSingletonOptions options) : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        conventionSet.Add(new KeyGeneratorAttributeConvention(dependencies));
        if (options.UtcDateTimeEnforcement)
        {
            // First, so EF maps the store type with the converter in place.
            conventionSet.ModelFinalizingConventions.Insert(0, new UtcDateTimeConvention());
        }

        // Encrypted strings and password hashes get per-property converters (errors name the entity and the property).
        conventionSet.ModelFinalizingConventions.Insert(0, new EncryptionConvention(options.EncryptionKeyRing, options.PasswordHashers));
        var fileObjects = new FileObjectConvention(options.StorageRegistry, JsonColumnType.Find(dependencies.TypeMappingSource));
        // Early, like the UTC convention: store types are mapped after it, with the column type it sets.
        conventionSet.ModelFinalizingConventions.Insert(0, fileObjects);

        return conventionSet;
    }
}
