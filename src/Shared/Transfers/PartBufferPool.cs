using System.Buffers;

namespace AlchemyTypes.Shared.Transfers;

/// <summary>
/// The part buffers of one upload: rented from <see cref="ArrayPool{T}.Shared"/> when none of this upload's is free,
/// recycled within the upload, all returned to the shared pool on dispose. Recycling here rather than through the shared
/// pool keeps one upload at <c>MaxConcurrency</c> buffers: a buffer the shared pool takes back on a thread-pool thread
/// sits in that thread's own cache, out of reach of the thread reading the next part, which would then rent (and allocate)
/// another.
/// </summary>
/// <param name="size">The size of each buffer.</param>
internal sealed class PartBufferPool(int size) : IDisposable
{
    private readonly Stack<byte[]> _free = new();
    private readonly List<byte[]> _all = [];

    /// <summary>A free buffer of at least the part size.</summary>
    public byte[] Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var buffer))
            {
                return buffer;
            }

            buffer = ArrayPool<byte>.Shared.Rent(size);
            _all.Add(buffer);
            return buffer;
        }
    }

    /// <summary>Gives a buffer back for the next part.</summary>
    public void Return(byte[] buffer)
    {
        lock (_free)
        {
            _free.Push(buffer);
        }
    }

    /// <summary>Returns every buffer to the shared pool; none may be in use any more.</summary>
    public void Dispose()
    {
        lock (_free)
        {
            foreach (var buffer in _all)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _all.Clear();
            _free.Clear();
        }
    }
}
