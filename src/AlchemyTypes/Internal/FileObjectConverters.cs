using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Internal;

/// <summary>Stores a <see cref="FileObject"/> as JSON and connects loaded values to the registry's backends.</summary>
internal sealed class FileObjectConverter(StorageRegistry? registry)
    : ValueConverter<FileObject, string>(file => FileObjectJson.Serialize(file), json => FileObjectJson.Deserialize(json, registry));

/// <summary>Stores a <see cref="FileObjectList"/> as a JSON array.</summary>
internal sealed class FileObjectListConverter(StorageRegistry? registry)
    : ValueConverter<FileObjectList, string>(files => FileObjectJson.Serialize(files), json => FileObjectJson.DeserializeList(json, registry));

/// <summary>Change tracking for a FileObject: a different key/backend or a new stored version is a change.</summary>
internal sealed class FileObjectComparer() : ValueComparer<FileObject>(
    (a, b) => FileObject.SameStoredVersion(a, b),
    file => file.GetHashCode(),
    file => file);

/// <summary>
/// Change tracking for a FileObjectList: the snapshot is a shallow copy, so adding, removing or replacing items in place
/// is detected, and the snapshot keeps the removed items for deletion after commit.
/// </summary>
internal sealed class FileObjectListComparer() : ValueComparer<FileObjectList>(
    (a, b) => SameItems(a, b),
    files => files.Count,
    files => new FileObjectList(files))
{
    private static bool SameItems(FileObjectList? a, FileObjectList? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!FileObject.SameStoredVersion(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Offers the FileObject converters to EF Core's type mapping, so FileObject properties are discovered by convention.</summary>
internal sealed class FileObjectConverterSource(AlchemyTypesSingletonOptions options) : IAlchemyValueConverterSource
{
    public IEnumerable<ValueConverterInfo> Select(Type modelClrType, Type? providerClrType)
    {
        if (providerClrType is not null && providerClrType != typeof(string))
        {
            yield break;
        }

        if (modelClrType == typeof(FileObject))
        {
            yield return new ValueConverterInfo(typeof(FileObject), typeof(string), _ => new FileObjectConverter(options.StorageRegistry));
        }
        else if (modelClrType == typeof(FileObjectList))
        {
            yield return new ValueConverterInfo(typeof(FileObjectList), typeof(string), _ => new FileObjectListConverter(options.StorageRegistry));
        }
    }
}
