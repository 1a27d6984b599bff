using System.Collections.ObjectModel;

namespace AlchemyTypes;

/// <summary>
/// Several files in one column (a JSON array). Edit it in place — <c>Add</c>, <c>Remove</c>, index assignment, <c>Clear</c> —
/// and the change tracker sees it: added files are uploaded on save, removed ones deleted after commit.
/// </summary>
public sealed class FileObjectList : Collection<FileObject>
{
    /// <summary>Creates an empty list.</summary>
    public FileObjectList()
    {
    }

    /// <summary>Creates a list holding <paramref name="files"/>.</summary>
    /// <param name="files">The files; none may be null.</param>
    public FileObjectList(IEnumerable<FileObject> files)
        : base(new List<FileObject>())
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files)
        {
            Add(file);
        }
    }

    /// <inheritdoc />
    protected override void InsertItem(int index, FileObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.InsertItem(index, item);
    }

    /// <inheritdoc />
    protected override void SetItem(int index, FileObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.SetItem(index, item);
    }
}
