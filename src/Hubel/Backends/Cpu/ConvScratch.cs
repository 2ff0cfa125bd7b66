using System.Collections.Concurrent;
using System.Numerics;

namespace Hubel.Backends.Cpu;

/// <summary>Scratch arrays for the float32 direct and depthwise kernels (padded image blocks, row-padded planes, offset
/// tables, packed weights), in power-of-two buckets, never trimmed, so a warm convolution step allocates only its tensors
/// whichever threads run it (<see cref="System.Buffers.ArrayPool{T}.Shared"/> trims idle arrays). Each thread first keeps
/// one array per bucket of its own, then the buckets shared by all threads: an array that wanders between cores costs
/// its next writer a cache-line transfer for every line the last core touched (20 µs for a 74 KB padded image), and the
/// CPU kernels run on the same dedicated threads every time (<see cref="ForkJoin"/>), so the thread's own array is
/// usually the one it used last. Contents are stale: callers write before they read, and return what they rent.</summary>
internal static class ConvScratch<T>
{
    private const int MaxPerBucket = 16;
    private static readonly ConcurrentStack<T[]>[] Buckets = CreateBuckets();
    [ThreadStatic] private static T[]?[]? _own;

    private static ConcurrentStack<T[]>[] CreateBuckets()
    {
        var b = new ConcurrentStack<T[]>[32];
        for (int i = 0; i < b.Length; i++) b[i] = new ConcurrentStack<T[]>();
        return b;
    }

    /// <summary>An array of at least <paramref name="size"/> elements (a power of two).</summary>
    public static T[] Rent(int size)
    {
        int bucket = BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, 16)));
        var own = _own;
        if (own?[bucket] is { } mine)
        {
            own[bucket] = null;
            return mine;
        }
        return Buckets[bucket].TryPop(out var a) ? a : new T[1 << bucket];
    }

    public static void Return(T[] array)
    {
        int bucket = BitOperations.Log2((uint)array.Length);
        var own = _own ??= new T[]?[32];
        if (own[bucket] is null)
        {
            own[bucket] = array;
            return;
        }
        var stack = Buckets[bucket];
        if (stack.Count < MaxPerBucket) stack.Push(array);
    }
}
