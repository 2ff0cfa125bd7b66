using System.Runtime.ExceptionServices;

namespace Hubel.Backends.Cpu;

/// <summary>The fork-join the blocked float32 GEMM splits its work with. Parallel.For made every call wait until a
/// thread-pool worker had woken up and looked at the loop, even when the caller had already done all the chunks itself;
/// on this virtual machine a sleeping worker takes tens of microseconds to wake (and a whole time slice when the cores are
/// shared), which is as long as an n = 256 product and was paid twice per KC step. Here the caller starts on the chunks at
/// once, a helper that wakes up in time takes chunks from the same counter, and one that has not started when the chunks
/// run out is told not to start: the caller then waits only for helpers that are really working.</summary>
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
        int chunks = (count + size - 1) / size;
        if (workers <= 1 || chunks <= 1) { body(0, count); return; }
        var loop = new ChunkLoop(body, count, size, chunks);
        int helpers = Math.Min(workers, chunks) - 1;
        var started = new Helper[helpers];
        for (int h = 0; h < helpers; h++)
        {
            started[h] = new Helper(loop);
            ThreadPool.UnsafeQueueUserWorkItem(started[h], preferLocal: false);
        }
        try
        {
            loop.Run();
        }
        finally
        {
            // Whether or not the caller's own chunks threw, no helper may still be inside body when this returns.
            foreach (var helper in started) helper.CancelOrWait();
        }
        foreach (var helper in started)
            if (helper.Error is { } error) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>The shared chunk counter: whoever increments it owns the chunk.</summary>
    private sealed class ChunkLoop(Action<int, int> body, int count, int size, int chunks)
    {
        private int _next;

        public void Run()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < chunks)
                body(i * size, Math.Min(count, (i + 1) * size));
        }
    }

    /// <summary>One queued helper. State: 0 queued, 1 running, 2 cancelled before it started, 3 finished.</summary>
    private sealed class Helper(ChunkLoop loop) : IThreadPoolWorkItem
    {
        private readonly ManualResetEventSlim _finished = new(false);
        private int _state;

        public Exception? Error { get; private set; }

        public void Execute()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
            try { loop.Run(); }
            catch (Exception e) { Error = e; }
            finally
            {
                Volatile.Write(ref _state, 3);
                _finished.Set();
            }
        }

        /// <summary>Called by the caller once the counter is exhausted: a helper that never started is cancelled; one that
        /// did is waited for (it is inside at most one chunk). The event spins briefly, then blocks, so a helper whose core
        /// was taken away does not keep the caller spinning on the other.</summary>
        public void CancelOrWait()
        {
            // Not disposed: the helper may still be inside Set when Wait returns, and without a wait handle there is nothing to free.
            if (Interlocked.CompareExchange(ref _state, 2, 0) != 0) _finished.Wait();
        }
    }
}
