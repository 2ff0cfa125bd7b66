using Hubel.Backends.Cpu;

namespace Hubel.Tests.Backends;

/// <summary>The GEMM's fork-join: the caller starts on the chunks at once and helpers that have not woken up by the end
/// are cancelled, so every run must still hand out each item exactly once and return only when no helper is inside body.</summary>
public class GemmParallelTests
{
    [Theory]
    [InlineData(1, 1, 64, 4)]
    [InlineData(7, 1, 64, 4)]
    [InlineData(43, 4, 24, 16)]
    [InlineData(171, 4, 24, 16)]
    [InlineData(1000, 1, int.MaxValue, 1)]
    public void Every_item_is_run_exactly_once(int count, int minChunk, int maxChunk, int perWorker)
    {
        // Many repetitions: some find the helper already awake, some finish before it starts (and cancel it).
        for (int rep = 0; rep < 200; rep++)
        {
            var visits = new int[count];
            Gemm.ForChunks(count, minChunk, maxChunk, perWorker, (first, last) =>
            {
                Assert.True(first < last, $"empty chunk [{first}, {last})");
                for (int i = first; i < last; i++) Interlocked.Increment(ref visits[i]);
            });
            Assert.All(visits, v => Assert.Equal(1, v));
        }
    }

    [Fact]
    public void An_exception_in_a_chunk_reaches_the_caller_after_every_helper_has_left()
    {
        int inside = 0;
        for (int rep = 0; rep < 50; rep++)
        {
            var error = Assert.Throws<InvalidOperationException>(() => Gemm.ForChunks(64, 1, 64, 4, (first, last) =>
            {
                Interlocked.Increment(ref inside);
                try
                {
                    Thread.SpinWait(2000);
                    if (first == 0) throw new InvalidOperationException("chunk 0");
                }
                finally { Interlocked.Decrement(ref inside); }
            }));
            Assert.Equal("chunk 0", error.Message);
            Assert.Equal(0, Volatile.Read(ref inside));
        }
    }
}
