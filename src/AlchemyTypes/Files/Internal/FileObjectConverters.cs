using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using AlchemyTypes.Infrastructure.Internal;

namespace AlchemyTypes.Files.Internal;

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
