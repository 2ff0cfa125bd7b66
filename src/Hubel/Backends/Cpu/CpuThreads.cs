namespace Hubel.Backends.Cpu;

/// <summary>How many cores the CPU kernels use, and the one helper that splits work over them.
/// Work is split into contiguous ranges (one per worker) so each worker touches its own memory.</summary>
public static class CpuThreads
{
    private static int _count = Environment.ProcessorCount;
    [ThreadStatic] private static int _serialDepth;

    /// <summary>Below about this many elements (or multiply-adds) of work per worker, waking a second worker costs more
    /// than it saves: a Parallel.For round trip is several microseconds on an idle machine and can be a scheduler
    /// time slice on a busy one, while a 2x2 pool over 16 planes of 10x10 takes 2 us.</summary>
    public const int MinWorkPerWorker = 32 * 1024;

    /// <summary>Worker count for kernels; defaults to the number of logical processors. Reads 1 on a thread inside
    /// <see cref="Serial"/>, so every kernel it calls runs inline.</summary>
    public static int Count
    {
        get => _serialDepth > 0 ? 1 : _count;
        set
        {
            if (value < 1 || value > 4096)
                throw new ArgumentOutOfRangeException(nameof(value), $"thread count must be in [1, 4096]; got {value}");
            _count = value;
        }
    }

    /// <summary>Until disposed, kernels called on this thread run on this thread alone (<see cref="Count"/> reads 1):
    /// for work so small that dispatch would dominate, e.g. a batch-1 forward pass through a small network.</summary>
    public static SerialScope Serial()
    {
        _serialDepth++;
        return new SerialScope();
    }

    public readonly struct SerialScope : IDisposable
    {
        public void Dispose() => _serialDepth--;
    }

    /// <summary>The minPerWorker that gives each worker at least <see cref="MinWorkPerWorker"/> of work when one item
    /// costs <paramref name="itemCost"/> (elements or multiply-adds).</summary>
    public static int MinItemsPerWorker(long itemCost) => (int)Math.Clamp(MinWorkPerWorker / Math.Max(1, itemCost), 1, int.MaxValue);

    /// <summary>Runs <paramref name="body"/>(start, end) over a partition of [0, n) into at most
    /// <see cref="Count"/> ranges; inline when there is only one range.</summary>
    public static void For(int n, Action<int, int> body, int minPerWorker = 1)
    {
        if (n <= 0) return;
        int workers = Math.Min(Count, Math.Max(1, n / Math.Max(1, minPerWorker)));
        if (workers <= 1) { body(0, n); return; }
        ForkJoin.ForRanges(n, workers, body);
    }

    /// <summary>Like <see cref="For"/> but also passes the worker index, so a worker can write to
    /// its own scratch buffer (e.g. a partial weight gradient) that is reduced afterwards.</summary>
    public static void ForWorkers(int n, int workers, Action<int, int, int> body)
    {
        if (n <= 0) return;
        workers = Math.Clamp(workers, 1, n);
        if (workers == 1) { body(0, 0, n); return; }
        // Under Determinism there can be more chunks than threads: they are claimed one at a time (in order on one thread) and
        // each keeps its index, so the chunks and their partial sums stay the same at any thread count.
        ForkJoin.ForIndexed(n, workers, Count, body);
    }

    /// <summary>Number of ranges <see cref="For"/> would use for <paramref name="n"/> items.</summary>
    /// <remarks>While <see cref="Determinism.Enabled"/>, a fixed number of chunks instead, whatever <see cref="Count"/> is,
    /// so that per-chunk partial sums (weight gradients) are added up in the same order at any thread count.</remarks>
    public static int WorkersFor(int n, int minPerWorker = 1) =>
        n <= 0 ? 1 : Math.Min(Determinism.Enabled ? Determinism.Chunks : Count, Math.Max(1, n / Math.Max(1, minPerWorker)));
}
