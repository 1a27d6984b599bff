namespace AlchemyTypes;

/// <summary>What the browser says about the file it is about to upload directly to storage.</summary>
public sealed class DirectUploadRequest
{
    /// <summary>The file name (shown to people; the storage key is chosen by the library, never from this name alone).</summary>
    public required string FileName { get; init; }

    /// <summary>The size in bytes the browser will send (<c>file.size</c>); attaching refuses a larger object.</summary>
    public required long Size { get; init; }

    /// <summary>The content type the browser will send; guessed from <see cref="FileName"/> when null. It is checked against the bytes on attach.</summary>
    public string? ContentType { get; init; }
}
