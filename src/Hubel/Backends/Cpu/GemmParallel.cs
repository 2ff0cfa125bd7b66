namespace Hubel.Backends.Cpu;

/// <summary>How the blocked float32 GEMM cuts its work for <see cref="ForkJoin"/>: the caller starts on the chunks at
/// once and a helper takes chunks from the same counter, so a helper that wakes late (or loses its core for a while) costs
/// at most one chunk.</summary>
internal static partial class Gemm
{
    /// <summary>Runs body(first, last) over [0, count) cut into chunks of <paramref name="minChunk"/> to
    /// <paramref name="maxChunk"/> items, aiming at <paramref name="perWorker"/> chunks per worker, taken dynamically by
    /// the caller and up to <see cref="CpuThreads.Count"/> - 1 helpers. Not one fixed half per core: on a shared machine a
    /// core is often taken away for a while, and with fixed halves the whole product then waits for the slower one; with
    /// chunks the other worker takes over the rest. Even on a quiet machine the last chunk leaves the other core idle for
    /// half a chunk on average, 1 / (2 x chunks) of the region: with 8 chunks (the old split) that was 6 % of every KC
    /// step. Chunks never split K, so the result is the same whatever the chunking or the thread count.</summary>
    internal static void ForChunks(int count, int minChunk, int maxChunk, int perWorker, Action<int, int> body)
    {
        int workers = CpuThreads.Count;
        int size = Math.Clamp((count + perWorker * workers - 1) / (perWorker * workers), Math.Min(minChunk, maxChunk), maxChunk);
        size = Math.Max(size, 1);
        if (workers <= 1 || size >= count) { if (count > 0) body(0, count); return; }
        ForkJoin.ForChunks(count, size, workers, body);
    }
}
