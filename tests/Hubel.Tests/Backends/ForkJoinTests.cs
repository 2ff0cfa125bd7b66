using Hubel.Backends.Cpu;

namespace Hubel.Tests.Backends;

/// <summary>The kernels' fork-join: every range handed out exactly once whoever runs it, helpers that join late or never
/// are harmless, errors reach the caller only after every helper has left, and regions started from inside a chunk or from
/// a second thread at the same time still run every range.</summary>
public class ForkJoinTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(7, 2)]
    [InlineData(128, 2)]
    [InlineData(1000, 16)]
    public void Every_index_is_run_exactly_once_in_its_range(int n, int ranges)
    {
        for (int rep = 0; rep < 200; rep++)
        {
            var visits = new int[n];
            ForkJoin.ForIndexed(n, ranges, 2, (index, start, end) =>
            {
                Assert.True(start < end, $"empty range [{start}, {end})");
                // The ranges are the fixed equal split, whichever thread takes them.
                Assert.Equal((int)((long)n * index / ranges), start);
                Assert.Equal((int)((long)n * (index + 1) / ranges), end);
                for (int i = start; i < end; i++) Interlocked.Increment(ref visits[i]);
            });
            Assert.All(visits, v => Assert.Equal(1, v));
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 3)]
    [InlineData(1000, 7)]
    public void Chunks_cover_every_item_once(int n, int chunk)
    {
        for (int rep = 0; rep < 200; rep++)
        {
            var visits = new int[n];
            ForkJoin.ForChunks(n, chunk, 2, (first, last) =>
            {
                Assert.True(last - first <= chunk && first < last, $"chunk [{first}, {last}) for size {chunk}");
                for (int i = first; i < last; i++) Interlocked.Increment(ref visits[i]);
            });
            Assert.All(visits, v => Assert.Equal(1, v));
        }
    }

    [Fact]
    public void A_region_started_inside_a_chunk_runs_inline_and_completely()
    {
        var visits = new int[64 * 32];
        ForkJoin.ForRanges(64, 2, (start, end) =>
        {
            for (int outer = start; outer < end; outer++)
            {
                int row = outer;
                int thread = Environment.CurrentManagedThreadId;
                ForkJoin.ForRanges(32, 2, (s, e) =>
                {
                    Assert.Equal(thread, Environment.CurrentManagedThreadId);
                    for (int i = s; i < e; i++) Interlocked.Increment(ref visits[row * 32 + i]);
                });
            }
        });
        Assert.All(visits, v => Assert.Equal(1, v));
    }

    [Fact]
    public void Regions_from_several_threads_at_once_all_complete()
    {
        const int callers = 4, n = 257;
        var totals = new long[callers];
        var threads = Enumerable.Range(0, callers).Select(t => new Thread(() =>
        {
            for (int rep = 0; rep < 300; rep++)
            {
                long sum = 0;
                ForkJoin.ForRanges(n, 2, (start, end) =>
                {
                    long local = 0;
                    for (int i = start; i < end; i++) local += i;
                    Interlocked.Add(ref sum, local);
                });
                Assert.Equal((long)n * (n - 1) / 2, sum);
                totals[t]++;
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        Assert.All(totals, count => Assert.Equal(300, count));
    }

    [Fact]
    public void An_exception_reaches_the_caller_after_every_helper_has_left_and_the_next_region_works()
    {
        int inside = 0;
        for (int rep = 0; rep < 50; rep++)
        {
            var error = Assert.Throws<InvalidOperationException>(() => ForkJoin.ForIndexed(64, 64, 2, (index, _, _) =>
            {
                Interlocked.Increment(ref inside);
                try
                {
                    Thread.SpinWait(2000);
                    if (index == 63) throw new InvalidOperationException("chunk 63");
                }
                finally { Interlocked.Decrement(ref inside); }
            }));
            Assert.Equal("chunk 63", error.Message);
            Assert.Equal(0, Volatile.Read(ref inside));
            int count = 0;
            ForkJoin.ForRanges(10, 2, (s, e) => Interlocked.Add(ref count, e - s));
            Assert.Equal(10, count);
        }
    }
}

/// <summary>The parts that need the helpers to themselves: nothing else may hold the fork-join while they run.</summary>
[Collection(nameof(AllocationCollection))]
public class ForkJoinHelperTests
{
    [Fact]
    public void A_helper_that_fell_asleep_is_woken_and_takes_a_range()
    {
        for (int rep = 0; rep < 3; rep++)
        {
            // Longer than the spin, so the helper has blocked; each range then waits until the other has started, which
            // only a second thread can do.
            Thread.Sleep(ForkJoin.SpinMicroseconds / 1000 + 20);
            int started = 0;
            var threads = new int[2];
            ForkJoin.ForIndexed(2, 2, 2, (index, _, _) =>
            {
                threads[index] = Environment.CurrentManagedThreadId;
                Interlocked.Increment(ref started);
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref started) == 2, TimeSpan.FromSeconds(20)),
                    "the other range was not started by a helper within 20 s");
            });
            Assert.NotEqual(threads[0], threads[1]);
        }
    }

    [Fact]
    public void A_warm_region_allocates_nothing()
    {
        var data = new float[4096];
        for (int i = 0; i < 10; i++) ForkJoin.ForRanges(data.Length, 2, (s, e) => data.AsSpan(s, e - s).Fill(1));
        Action<int, int> fill = (s, e) => data.AsSpan(s, e - s).Fill(2);
        // The count is process-wide (helpers allocate on their own threads), so anything else the runtime allocates in the
        // window (a background JIT compile) counts too: the least of three windows. A region that allocated would do so in
        // every window.
        long allocated = long.MaxValue;
        for (int window = 0; window < 3 && allocated >= 1024; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 1000; i++) ForkJoin.ForRanges(data.Length, 2, fill);
            allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        Assert.True(allocated < 1024, $"1,000 warm regions allocated {allocated} bytes");
        Assert.All(data, v => Assert.Equal(2f, v));
    }
}
