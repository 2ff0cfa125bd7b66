namespace Hubel.Backends.Cpu;

/// <summary>How many cores the CPU kernels use, and the one helper that splits work over them.
/// Work is split into contiguous ranges (one per worker) so each worker touches its own memory.</summary>
public static class CpuThreads
{
    private static int _count = Environment.ProcessorCount;

    /// <summary>Worker count for kernels; defaults to the number of logical processors.</summary>
    public static int Count
    {
        get => _count;
        set
        {
            if (value < 1 || value > 4096)
                throw new ArgumentOutOfRangeException(nameof(value), $"thread count must be in [1, 4096]; got {value}");
            _count = value;
        }
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over a partition of [0, n) into at most
    /// <see cref="Count"/> ranges; inline when there is only one range.</summary>
    public static void For(int n, Action<int, int> body, int minPerWorker = 1)
    {
        if (n <= 0) return;
        int workers = Math.Min(Count, Math.Max(1, n / Math.Max(1, minPerWorker)));
        if (workers <= 1) { body(0, n); return; }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            long start = (long)n * w / workers, end = (long)n * (w + 1) / workers;
            if (end > start) body((int)start, (int)end);
        });
    }

    /// <summary>Like <see cref="For"/> but also passes the worker index, so a worker can write to
    /// its own scratch buffer (e.g. a partial weight gradient) that is reduced afterwards.</summary>
    public static void ForWorkers(int n, int workers, Action<int, int, int> body)
    {
        if (n <= 0) return;
        workers = Math.Clamp(workers, 1, n);
        if (workers == 1) { body(0, 0, n); return; }
        // Under Determinism there can be more chunks than threads: the chunks (and so the sums) stay the same.
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(workers, Count) }, w =>
        {
            long start = (long)n * w / workers, end = (long)n * (w + 1) / workers;
            if (end > start) body(w, (int)start, (int)end);
        });
    }

    /// <summary>Number of ranges <see cref="For"/> would use for <paramref name="n"/> items.</summary>
    /// <remarks>While <see cref="Determinism.Enabled"/>, a fixed number of chunks instead, whatever <see cref="Count"/> is,
    /// so that per-chunk partial sums (weight gradients) are added up in the same order at any thread count.</remarks>
    public static int WorkersFor(int n, int minPerWorker = 1) =>
        n <= 0 ? 1 : Math.Min(Determinism.Enabled ? Determinism.Chunks : Count, Math.Max(1, n / Math.Max(1, minPerWorker)));
}
