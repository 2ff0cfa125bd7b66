using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The fork-join every parallel CPU kernel runs on: a few dedicated helper threads that, after a region, spin for a short
/// while (<see cref="SpinMicroseconds"/>) before they block. A training step of a small network is dozens of parallel
/// regions of tens to hundreds of microseconds separated by a few microseconds of graph bookkeeping; with the thread pool
/// each region waited for a worker to wake from its kernel sleep (tens of microseconds on this virtual machine, a time
/// slice when the cores are shared). A helper that is still spinning joins within a cache-line round trip. It is the same
/// trade the OpenMP runtimes under PyTorch make (their helpers spin between regions too).
/// <para>A region is a number of chunks claimed one at a time from a shared counter. The caller starts on them at once;
/// helpers join when they see the region; when the counter runs out, the region is closed, a helper that has not joined by
/// then never will, and the caller waits only for helpers that are inside a chunk. So a helper that lost its core costs
/// at most one chunk, never the whole region, and the chunks (and so any per-chunk partial sums) are the same whoever
/// runs them.</para>
/// <para>One region runs at a time: a second thread that asks while one is running, and any region started from inside a
/// chunk, runs its chunks inline on its own thread.</para>
/// </summary>
internal static class ForkJoin
{
    /// <summary>How long an idle helper spins before it blocks (HUBEL_SPIN_US overrides; 0 blocks at once).</summary>
    public static readonly int SpinMicroseconds = ReadSpin();

    /// <summary>At most this many helpers, whatever <see cref="CpuThreads.Count"/> says.</summary>
    private const int MaxHelpers = 63;

    private static readonly Lock Gate = new();
    private static Helper[] _helpers = [];
    private static int _busy;
    [ThreadStatic] private static bool _inside;

    // The region. Only the thread that set _busy writes these, and only between regions (when no helper is inside).
    // Exactly one of the bodies is set; a chunk size of 0 means equal ranges.
    private static Action<int, int>? _body;
    private static Action<int, int, int>? _indexed;
    private static int _n, _chunks, _chunkSize, _next;
    private static Exception? _error;

    /// <summary>The region's generation (high 32 bits), closed flag (bit 31) and number of helpers inside (low bits).
    /// A helper joins by a compare-and-swap that fails once the region is closed or a newer one has begun.</summary>
    private static long _state;

    private const long Closed = 1L << 31;

    /// <summary>body(start, end) over [0, n) cut into <paramref name="ranges"/> equal contiguous ranges.</summary>
    public static void ForRanges(int n, int ranges, Action<int, int> body) => Run(n, ranges, 0, body, null, ranges);

    /// <summary>body(index, start, end) over [0, n) cut into <paramref name="ranges"/> equal ranges, index being the
    /// range's number (for per-range partial sums), using up to <paramref name="workers"/> threads.</summary>
    public static void ForIndexed(int n, int ranges, int workers, Action<int, int, int> body) => Run(n, ranges, 0, null, body, workers);

    /// <summary>body(first, last) over [0, n) in chunks of <paramref name="chunkSize"/> items, using up to
    /// <paramref name="workers"/> threads.</summary>
    public static void ForChunks(int n, int chunkSize, int workers, Action<int, int> body) =>
        Run(n, (int)(((long)n + chunkSize - 1) / chunkSize), chunkSize, body, null, workers);

    private static void Run(int n, int chunks, int chunkSize, Action<int, int>? body, Action<int, int, int>? indexed, int workers)
    {
        if (chunks <= 0) return;
        int helpers = Math.Min(Math.Min(workers, chunks) - 1, MaxHelpers);
        if (helpers <= 0 || _inside || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int c = 0; c < chunks; c++) RunChunk(c, n, chunks, chunkSize, body, indexed);
            return;
        }
        try
        {
            EnsureHelpers(helpers);
            _body = body; _indexed = indexed;
            _n = n; _chunks = chunks; _chunkSize = chunkSize; _next = 0; _error = null;
            long generation = (Volatile.Read(ref _state) >> 32) + 1;
            Interlocked.Exchange(ref _state, generation << 32);
            for (int h = 0; h < helpers; h++) _helpers[h].Post();
            _inside = true;
            try { Work(); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            finally { _inside = false; }
            // Close the region, then wait for whoever is still inside a chunk (spinning first: chunks are short).
            long state = Interlocked.Or(ref _state, Closed) | Closed;
            var wait = new SpinWait();
            while ((state & (Closed - 1)) != 0)
            {
                wait.SpinOnce(sleep1Threshold: -1);
                state = Volatile.Read(ref _state);
            }
            if (_error is { } error)
            {
                _error = null;
                ExceptionDispatchInfo.Throw(error);
            }
        }
        finally
        {
            _body = null; _indexed = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Claims and runs chunks until none is left (caller and helpers alike).</summary>
    private static void Work()
    {
        int chunks = _chunks, n = _n, size = _chunkSize;
        Action<int, int>? body = _body;
        Action<int, int, int>? indexed = _indexed;
        int c;
        while ((c = Interlocked.Increment(ref _next) - 1) < chunks)
            RunChunk(c, n, chunks, size, body, indexed);
    }

    /// <summary>Chunk c: items [c·size, (c + 1)·size), or with size 0 the c-th of <paramref name="chunks"/> equal ranges.</summary>
    private static void RunChunk(int c, int n, int chunks, int size, Action<int, int>? body, Action<int, int, int>? indexed)
    {
        int start = size > 0 ? c * size : (int)((long)n * c / chunks);
        int end = size > 0 ? Math.Min(n, start + size) : (int)((long)n * (c + 1) / chunks);
        if (end <= start) return;
        if (body is not null) body(start, end);
        else indexed!(c, start, end);
    }

    /// <summary>A helper's attempt to enter region <paramref name="generation"/>; false once it is closed or superseded.</summary>
    private static bool TryJoin(long generation)
    {
        long state = Volatile.Read(ref _state);
        while ((state >> 32) == generation && (state & Closed) == 0)
        {
            long seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state) return true;
            state = seen;
        }
        return false;
    }

    private static void EnsureHelpers(int count)
    {
        if (_helpers.Length >= count) return;
        lock (Gate)
        {
            if (_helpers.Length >= count) return;
            var grown = new Helper[count];
            _helpers.CopyTo(grown, 0);
            for (int h = _helpers.Length; h < count; h++) grown[h] = new Helper(h);
            _helpers = grown;
        }
    }

    private static int ReadSpin() =>
        int.TryParse(Environment.GetEnvironmentVariable("HUBEL_SPIN_US"), out int us) && us >= 0 ? Math.Min(us, 1_000_000) : 200;

    /// <summary>One dedicated background thread: waits for a posted generation (spinning, then blocked), joins it if it is
    /// still open, works, leaves.</summary>
    private sealed class Helper
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private long _posted, _seen;
        private int _sleeping;

        public Helper(int index)
        {
            var thread = new Thread(Loop, maxStackSize: 4 << 20) { IsBackground = true, Name = $"Hubel CPU helper {index + 1}" };
            thread.Start();
        }

        public void Post()
        {
            Interlocked.Exchange(ref _posted, Volatile.Read(ref _state) >> 32);
            if (Volatile.Read(ref _sleeping) != 0) _wake.Set();
        }

        private void Loop()
        {
            _inside = true; // a chunk that starts a region of its own runs it inline
            long spinTicks = SpinMicroseconds * Stopwatch.Frequency / 1_000_000;
            while (true)
            {
                long generation = WaitForPost(spinTicks);
                if (!TryJoin(generation)) continue;
                try { Work(); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
                finally { Interlocked.Decrement(ref _state); }
            }
        }

        private long WaitForPost(long spinTicks)
        {
            long start = Stopwatch.GetTimestamp();
            while (true)
            {
                long posted = Volatile.Read(ref _posted);
                if (posted != _seen) return _seen = posted;
                if (Stopwatch.GetTimestamp() - start < spinTicks) { Thread.SpinWait(20); continue; }
                // Announce the sleep, then look once more: a post either sees the flag or is seen here.
                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _posted) == _seen) _wake.Wait();
                Interlocked.Exchange(ref _sleeping, 0);
                _wake.Reset();
                start = Stopwatch.GetTimestamp();
            }
        }
    }
}
