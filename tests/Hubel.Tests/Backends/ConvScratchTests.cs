using Hubel.Backends.Cpu;

namespace Hubel.Tests.Backends;

/// <summary>The kernels' scratch pool: power-of-two arrays, the thread's own array back first, never one array to two
/// renters at once.</summary>
public class ConvScratchTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(16, 16)]
    [InlineData(17, 32)]
    [InlineData(18496, 32768)]
    public void Rents_the_next_power_of_two_of_at_least_16(int size, int expected)
    {
        var a = ConvScratch<float>.Rent(size);
        Assert.Equal(expected, a.Length);
        ConvScratch<float>.Return(a);
    }

    [Fact]
    public void A_thread_gets_back_the_array_it_returned_last()
    {
        // A size no other test rents, so the thread's own slot for the bucket holds only what this test put there.
        Exception? failure = null;
        var t = new Thread(() => { try { Check(); } catch (Exception e) { failure = e; } });
        t.Start();
        t.Join();
        Assert.Null(failure);

        static void Check()
        {
            var first = ConvScratch<double>.Rent(3 << 20);
            ConvScratch<double>.Return(first);
            var again = ConvScratch<double>.Rent(3 << 20);
            Assert.Same(first, again);
            ConvScratch<double>.Return(again);
        }
    }

    [Fact]
    public void Arrays_rented_at_the_same_time_are_distinct_on_one_thread_and_across_threads()
    {
        var a = ConvScratch<int>.Rent(1000);
        var b = ConvScratch<int>.Rent(1000);
        Assert.NotSame(a, b);
        var held = new int[8][];
        Parallel.For(0, held.Length, i => held[i] = ConvScratch<int>.Rent(1000));
        var all = held.Append(a).Append(b).ToArray();
        Assert.Equal(all.Length, all.Distinct(ReferenceEqualityComparer.Instance).Count());
        foreach (var x in all) ConvScratch<int>.Return(x);
    }
}
