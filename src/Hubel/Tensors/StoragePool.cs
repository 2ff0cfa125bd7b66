using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Hubel.Tensors;

/// <summary>
/// Recycled tensor storage (float, double and int arrays), bucketed by exact length: a training loop asks for the same
/// lengths every step, so exact buckets hit every time and a recycled array is indistinguishable from a fresh one of the
/// same length (no kernel ever sees a longer array than it asked for). Thread-safe; bounded by <see cref="CapacityBytes"/>,
/// beyond which returned arrays are simply left to the GC, so the pool can never grow without limit.
/// Only <see cref="MemoryScope"/> returns arrays here, and only those it rented itself and nobody kept.
/// </summary>
internal static class StoragePool
{
    /// <summary>Upper bound on the bytes held idle in the pool (not on what is rented out).</summary>
    public const long CapacityBytes = 1L << 30;   // about one ResNet-20 batch-128 training step's tensors

    private static readonly ConcurrentDictionary<int, ConcurrentStack<float[]>> Floats = new();
    private static readonly ConcurrentDictionary<int, ConcurrentStack<double[]>> Doubles = new();
    private static readonly ConcurrentDictionary<int, ConcurrentStack<int[]>> Ints = new();
    private static long _idleBytes;

    /// <summary>Debug switch (<c>HUBEL_POOL_POISON=1</c>): every array handed out or taken back is filled with NaN
    /// (int arrays with -1), so a kernel that reads storage it never wrote, or a tensor used after its scope returned it,
    /// produces NaN or an out-of-range index instead of plausible numbers. Run the test suite with it after touching
    /// a kernel; off by default (it costs a fill per tensor).</summary>
    internal static bool Poison { get; set; } = Environment.GetEnvironmentVariable("HUBEL_POOL_POISON") == "1";

    /// <summary>Bytes currently held idle (for tests and reports).</summary>
    public static long IdleBytes => Interlocked.Read(ref _idleBytes);

    /// <summary>An array of exactly <paramref name="length"/> elements, recycled if one is idle; contents are arbitrary.</summary>
    public static T[] Rent<T>(int length)
    {
        var buckets = Buckets<T>();
        if (buckets.TryGetValue(length, out var stack) && stack.TryPop(out var array))
            Interlocked.Add(ref _idleBytes, -Bytes<T>(length));
        else
            array = GC.AllocateUninitializedArray<T>(length);
        if (Poison) Fill(array);
        return array;
    }

    private static void Fill<T>(T[] array)
    {
        switch (array)
        {
            case float[] f: f.AsSpan().Fill(float.NaN); break;
            case double[] d: d.AsSpan().Fill(double.NaN); break;
            case int[] i: i.AsSpan().Fill(-1); break;
        }
    }

    /// <summary>Takes <paramref name="array"/> back, unless the pool is full. The caller must hold the only reference.</summary>
    public static void Return(Array array)
    {
        switch (array)
        {
            case float[] f: Push(f); break;
            case double[] d: Push(d); break;
            case int[] i: Push(i); break;
        }
    }

    private static void Push<T>(T[] array)
    {
        if (array.Length == 0) return;
        if (Poison) Fill(array);
        long bytes = Bytes<T>(array.Length);
        if (Interlocked.Add(ref _idleBytes, bytes) > CapacityBytes)
        {
            Interlocked.Add(ref _idleBytes, -bytes);   // full: leave it to the GC
            return;
        }
        Buckets<T>().GetOrAdd(array.Length, static _ => new ConcurrentStack<T[]>()).Push(array);
    }

    /// <summary>Drops every idle array (tests use it to start from a known state).</summary>
    public static void Clear()
    {
        Floats.Clear();
        Doubles.Clear();
        Ints.Clear();
        Interlocked.Exchange(ref _idleBytes, 0);
    }

    private static long Bytes<T>(int length) => (long)length * Unsafe.SizeOf<T>();

    private static ConcurrentDictionary<int, ConcurrentStack<T[]>> Buckets<T>() =>
        typeof(T) == typeof(float) ? (ConcurrentDictionary<int, ConcurrentStack<T[]>>)(object)Floats
        : typeof(T) == typeof(double) ? (ConcurrentDictionary<int, ConcurrentStack<T[]>>)(object)Doubles
        : typeof(T) == typeof(int) ? (ConcurrentDictionary<int, ConcurrentStack<T[]>>)(object)Ints
        : throw new NotSupportedException($"no storage pool for {typeof(T)}");
}
