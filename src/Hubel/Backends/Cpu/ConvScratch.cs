using System.Collections.Concurrent;
using System.Numerics;

namespace Hubel.Backends.Cpu;

/// <summary>Scratch arrays for the float32 direct and depthwise kernels (padded image blocks, row-padded planes, offset
/// tables, packed weights), in power-of-two buckets shared by all threads and never trimmed, so a warm convolution step
/// allocates only its tensors whichever pool threads run it (<see cref="System.Buffers.ArrayPool{T}.Shared"/> trims idle
/// arrays, and per-thread scratch misses on a freshly injected pool thread). Contents are stale: callers write before they
/// read, and return what they rent.</summary>
internal static class ConvScratch<T>
{
    private const int MaxPerBucket = 16;
    private static readonly ConcurrentStack<T[]>[] Buckets = CreateBuckets();

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
        return Buckets[bucket].TryPop(out var a) ? a : new T[1 << bucket];
    }

    public static void Return(T[] array)
    {
        var stack = Buckets[BitOperations.Log2((uint)array.Length)];
        if (stack.Count < MaxPerBucket) stack.Push(array);
    }
}
