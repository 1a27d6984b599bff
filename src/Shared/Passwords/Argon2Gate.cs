namespace AlchemyTypes.Shared.Passwords;

/// <summary>
/// Admission to Argon2 computations: at most <c>maxConcurrency</c> at once, and the memory they ask for together never
/// above the budget. A computation that does not fit waits (asynchronously in the async path) in first-come order, so a
/// large request is not starved by a stream of small ones. Linked source shared by the Argon2 provider packages.
/// </summary>
internal sealed class Argon2Gate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly long _budgetKiB;
    private long _usedKiB;
    private int _running;
    private int _peakRunning;
    private long _peakUsedKiB;

    public Argon2Gate(int maxConcurrency, long budgetKiB)
    {
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _budgetKiB = budgetKiB;
    }

    /// <summary>The most computations seen running at once.</summary>
    public int PeakConcurrency => Volatile.Read(ref _peakRunning);

    /// <summary>The most memory (KiB) seen admitted at once.</summary>
    public long PeakMemoryKiB
    {
        get
        {
            lock (_lock)
            {
                return _peakUsedKiB;
            }
        }
    }

    /// <summary>Waits for a slot and <paramref name="memoryKiB"/> of the budget, blocking the thread.</summary>
    public Lease Enter(long memoryKiB)
    {
        _slots.Wait();
        try
        {
            var waiter = Reserve(memoryKiB);
            waiter?.Completion.Task.GetAwaiter().GetResult();
        }
        catch
        {
            _slots.Release();
            throw;
        }

        return Admitted(memoryKiB);
    }

    /// <summary>Waits for a slot and <paramref name="memoryKiB"/> of the budget without blocking the thread.</summary>
    public async ValueTask<Lease> EnterAsync(long memoryKiB, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var waiter = Reserve(memoryKiB);
            if (waiter is not null)
            {
                await using (cancellationToken.Register(() => waiter.Cancel(cancellationToken)).ConfigureAwait(false))
                {
                    await waiter.Completion.Task.ConfigureAwait(false);
                }
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }

        return Admitted(memoryKiB);
    }

    public void Dispose() => _slots.Dispose();

    private Waiter? Reserve(long memoryKiB)
    {
        if (memoryKiB > _budgetKiB)
        {
            throw new InvalidOperationException("An Argon2 computation asked for more memory than the whole budget; the settings should have refused it.");
        }

        lock (_lock)
        {
            if (_waiters.Count == 0 && _usedKiB + memoryKiB <= _budgetKiB)
            {
                Take(memoryKiB);
                return null;
            }

            var waiter = new Waiter(this, memoryKiB);
            waiter.Node = _waiters.AddLast(waiter);
            return waiter;
        }
    }

    private void Take(long memoryKiB)
    {
        _usedKiB += memoryKiB;
        _peakUsedKiB = Math.Max(_peakUsedKiB, _usedKiB);
    }

    private Lease Admitted(long memoryKiB)
    {
        var running = Interlocked.Increment(ref _running);
        var peak = Volatile.Read(ref _peakRunning);
        while (running > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakRunning, running, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }

        return new Lease(this, memoryKiB);
    }

    private void Exit(long memoryKiB)
    {
        Interlocked.Decrement(ref _running);
        List<Waiter>? granted;
        lock (_lock)
        {
            _usedKiB -= memoryKiB;
            granted = GrantLocked();
        }

        Complete(granted);
        _slots.Release();
    }

    /// <summary>Admits waiters from the head of the queue while they fit. Called under the lock.</summary>
    private List<Waiter>? GrantLocked()
    {
        List<Waiter>? granted = null;
        while (_waiters.First is { } first && _usedKiB + first.Value.MemoryKiB <= _budgetKiB)
        {
            _waiters.RemoveFirst();
            first.Value.Node = null;
            Take(first.Value.MemoryKiB);
            (granted ??= []).Add(first.Value);
        }

        return granted;
    }

    private static void Complete(List<Waiter>? granted)
    {
        if (granted is null)
        {
            return;
        }

        foreach (var waiter in granted)
        {
            waiter.Completion.TrySetResult();
        }
    }

    /// <summary>A held slot and its memory; disposing it lets the next computation in.</summary>
    internal readonly struct Lease : IDisposable
    {
        private readonly Argon2Gate? _gate;
        private readonly long _memoryKiB;

        public Lease(Argon2Gate gate, long memoryKiB)
        {
            _gate = gate;
            _memoryKiB = memoryKiB;
        }

        public void Dispose() => _gate?.Exit(_memoryKiB);
    }

    private sealed class Waiter(Argon2Gate gate, long memoryKiB)
    {
        public long MemoryKiB { get; } = memoryKiB;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        /// <summary>Leaves the queue if still waiting; a waiter already admitted keeps its memory (the caller releases it).</summary>
        public void Cancel(CancellationToken cancellationToken)
        {
            List<Waiter>? granted;
            lock (gate._lock)
            {
                if (Node is null)
                {
                    return;
                }

                gate._waiters.Remove(Node);
                Node = null;

                // Leaving the head may let the next ones in.
                granted = gate.GrantLocked();
            }

            Completion.TrySetCanceled(cancellationToken);
            Complete(granted);
        }
    }
}
