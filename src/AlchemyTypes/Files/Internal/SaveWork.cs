using AlchemyTypes.Storage;

namespace AlchemyTypes.Files.Internal;

/// <summary>What one SaveChanges uploaded and recorded: the uploads are undone if it does not commit, the deletes run if it does.</summary>
internal sealed class SaveWork
{
    public List<UploadedFile> Uploads { get; } = [];

    public List<PendingStorageDelete> Recorded { get; } = [];

    /// <summary>Set when the commit of the save's own transaction failed: it may have reached the database, so nothing is undone.</summary>
    public bool OutcomeUnknown { get; set; }

    public bool IsEmpty => Uploads.Count == 0 && Recorded.Count == 0;

    public void AddRange(SaveWork other)
    {
        Uploads.AddRange(other.Uploads);
        Recorded.AddRange(other.Recorded);
    }
}

/// <summary>An object a save uploaded.</summary>
internal sealed record UploadedFile(IStorageBackend Storage, string Backend, FileObject File);
