namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// Sorts more items than fit in memory: items are buffered up to <c>runSize</c>, each full buffer is sorted and written to a
/// temporary file (a run), and <see cref="Sorted"/> merges the runs. Memory holds one buffer, then one item per run.
/// </summary>
internal sealed class ExternalSorter<T> : IDisposable
{
    private readonly IComparer<T> _comparer;
    private readonly Action<BinaryWriter, T> _write;
    private readonly Func<BinaryReader, T> _read;
    private readonly int _runSize;
    private readonly List<T> _buffer = [];
    private readonly List<string> _runs = [];
    private string? _folder;

    public ExternalSorter(IComparer<T> comparer, Action<BinaryWriter, T> write, Func<BinaryReader, T> read, int runSize)
    {
        _comparer = comparer;
        _write = write;
        _read = read;
        _runSize = runSize;
    }

    public long Count { get; private set; }

    public void Add(T item)
    {
        _buffer.Add(item);
        Count++;
        if (_buffer.Count >= _runSize)
        {
            Spill();
        }
    }

    /// <summary>Every item added, in order. Call once, after the last <see cref="Add"/>.</summary>
    public IEnumerable<T> Sorted()
    {
        if (_runs.Count == 0)
        {
            _buffer.Sort(_comparer);
            foreach (var item in _buffer)
            {
                yield return item;
            }

            yield break;
        }

        Spill();
        var readers = _runs.Select(path => new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536,
            FileOptions.SequentialScan))).ToList();
        try
        {
            var queue = new PriorityQueue<(T Item, int Run), T>(_comparer);
            for (var i = 0; i < readers.Count; i++)
            {
                if (TryRead(readers[i], out var item))
                {
                    queue.Enqueue((item, i), item);
                }
            }

            while (queue.TryDequeue(out var next, out _))
            {
                yield return next.Item;
                if (TryRead(readers[next.Run], out var item))
                {
                    queue.Enqueue((item, next.Run), item);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temporary folder is in the system temp directory.
            }
        }
    }

    private bool TryRead(BinaryReader reader, out T item)
    {
        if (reader.BaseStream.Position >= reader.BaseStream.Length)
        {
            item = default!;
            return false;
        }

        item = _read(reader);
        return true;
    }

    private void Spill()
    {
        if (_buffer.Count == 0)
        {
            return;
        }

        _buffer.Sort(_comparer);
        _folder ??= Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "alchemytypes-sort-" + Guid.NewGuid().ToString("N"))).FullName;
        var path = Path.Combine(_folder, $"run-{_runs.Count}.bin");
        using (var writer = new BinaryWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536)))
        {
            foreach (var item in _buffer)
            {
                _write(writer, item);
            }
        }

        _runs.Add(path);
        _buffer.Clear();
    }
}
