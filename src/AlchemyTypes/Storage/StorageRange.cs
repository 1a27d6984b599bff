namespace AlchemyTypes.Storage;

/// <summary>A byte range of an object: <see cref="Length"/> bytes from <see cref="Offset"/>, or to the end when the length is null.</summary>
public readonly record struct StorageRange
{
    /// <summary>Creates a range.</summary>
    /// <param name="offset">The first byte, zero or more.</param>
    /// <param name="length">How many bytes (more than zero), or null for up to the end.</param>
    /// <exception cref="ArgumentOutOfRangeException">The offset is negative or the length not positive.</exception>
    public StorageRange(long offset, long? length = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A range length must be more than zero, or null for up to the end.");
        }

        Offset = offset;
        Length = length;
    }

    /// <summary>The first byte.</summary>
    public long Offset { get; }

    /// <summary>How many bytes, or null for up to the end.</summary>
    public long? Length { get; }

    /// <summary>The range clipped to an object of <paramref name="size"/> bytes: (start, count).</summary>
    /// <param name="size">The object size.</param>
    /// <returns>The first byte and the number of bytes to read.</returns>
    /// <exception cref="StorageRangeException">The range starts at or after the end of a non-empty object.</exception>
    public (long Start, long Count) Clip(long size)
    {
        if (Offset >= size && !(Offset == 0 && size == 0))
        {
            throw new StorageRangeException($"The range starts at byte {Offset} but the object has {size} bytes.");
        }

        var count = Math.Min(Length ?? long.MaxValue, size - Offset);
        return (Offset, count);
    }

    /// <summary>An HTTP <c>Range</c> header value, <c>bytes=first-last</c>.</summary>
    /// <returns>The header value.</returns>
    public string ToHttpRangeHeader()
        => Length is { } length ? $"bytes={Offset}-{Offset + length - 1}" : $"bytes={Offset}-";
}
