using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Tensors;

namespace Hubel.Backends.Cpu;

/// <summary>An elementwise binary operator: its scalar rule and vectorised span forms (via TensorPrimitives).</summary>
internal interface IBinaryOp
{
    static abstract T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal readonly struct AddOp : IBinaryOp
{
    public static T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(b, a, d);
}

internal readonly struct SubOp : IBinaryOp
{
    public static T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);
}

internal readonly struct MulOp : IBinaryOp
{
    public static T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(b, a, d);
}

internal readonly struct DivOp : IBinaryOp
{
    public static T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
}

/// <summary>Drives a binary op over two broadcast operands: the innermost dimension runs through the
/// vectorised span forms, the outer dimensions through an odometer.</summary>
internal static class BinaryKernels
{
    public static Tensor Run<TOp>(Tensor a, Tensor b) where TOp : IBinaryOp
    {
        if (a.DType != b.DType)
            throw new ArgumentException($"dtype mismatch: {a.DType} and {b.DType}; convert one with To()", nameof(b));
        var shape = ShapeMath.Broadcast(a.ShapeArray, b.ShapeArray, nameof(b));
        return a.DType == DType.Float32 ? Run<TOp, float>(a, b, shape) : Run<TOp, double>(a, b, shape);
    }

    private static Tensor Run<TOp, T>(Tensor a, Tensor b, int[] shape) where TOp : IBinaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = Tensor.Empty(shape, a.DType);
        var d = result.Span<T>();
        if (a.IsContiguous && b.IsContiguous && a.Numel == b.Numel)
        {
            if (d.Length < 2 * ParallelGrain) TOp.Apply<T>(a.Span<T>(), b.Span<T>(), d);
            else SameShapeParallel<TOp, T>(a, b, result);
            return result;
        }
        if (b.Numel == 1 && a.IsContiguous && a.Numel == d.Length) { TOp.Apply(a.Span<T>(), b.Data<T>()[b.Offset], d); return result; }
        if (a.Numel == 1 && b.IsContiguous && b.Numel == d.Length) { TOp.Apply(a.Data<T>()[a.Offset], b.Span<T>(), d); return result; }

        int rank = shape.Length;
        var sa = BroadcastStrides(a, rank);
        var sb = BroadcastStrides(b, rank);
        var da = a.Data<T>();
        var db = b.Data<T>();
        int inner = rank == 0 ? 1 : shape[rank - 1];
        int ia = rank == 0 ? 0 : sa[rank - 1], ib = rank == 0 ? 0 : sb[rank - 1];
        Span<int> idx = stackalloc int[Math.Max(rank, 1)];
        int outer = inner == 0 ? 0 : d.Length / inner;
        var tmpA = inner > 0 && ia > 1 ? new T[inner] : null;
        var tmpB = inner > 0 && ib > 1 ? new T[inner] : null;
        for (int o = 0, pos = 0; o < outer; o++, pos += inner)
        {
            int offA = a.Offset, offB = b.Offset;
            for (int k = 0; k < rank - 1; k++) { offA += idx[k] * sa[k]; offB += idx[k] * sb[k]; }
            var dst = d.Slice(pos, inner);
            ReadOnlySpan<T> rowA = ia switch { 0 => default, 1 => da.AsSpan(offA, inner), _ => GatherRow(da, offA, ia, tmpA!) };
            ReadOnlySpan<T> rowB = ib switch { 0 => default, 1 => db.AsSpan(offB, inner), _ => GatherRow(db, offB, ib, tmpB!) };
            if (ia == 0 && ib == 0) dst.Fill(TOp.Invoke(da[offA], db[offB]));
            else if (ia == 0) TOp.Apply(da[offA], rowB, dst);
            else if (ib == 0) TOp.Apply(rowA, db[offB], dst);
            else TOp.Apply(rowA, rowB, dst);
            for (int k = rank - 2; k >= 0; k--)
            {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
        return result;
    }

    /// <summary>Elements per worker below which splitting a same-shape op costs more than it saves (a gradient sum of a
    /// ResNet activation is millions of elements; a bias is a handful).</summary>
    private const int ParallelGrain = 1 << 16;

    /// <summary>The same-shape case over the workers in contiguous chunks (memory-bound: two cores stream faster than one).</summary>
    private static void SameShapeParallel<TOp, T>(Tensor a, Tensor b, Tensor result) where TOp : IBinaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] da = a.Data<T>(), db = b.Data<T>(), dd = result.Data<T>();
        int oa = a.Offset, ob = b.Offset, od = result.Offset, n = result.Numel, chunks = (n + ParallelGrain - 1) / ParallelGrain;
        CpuThreads.For(chunks, (k0, k1) =>
        {
            int start = k0 * ParallelGrain, len = Math.Min(n, k1 * ParallelGrain) - start;
            TOp.Apply<T>(da.AsSpan(oa + start, len), db.AsSpan(ob + start, len), dd.AsSpan(od + start, len));
        });
    }

    private static ReadOnlySpan<T> GatherRow<T>(T[] src, int offset, int stride, T[] tmp)
    {
        for (int j = 0; j < tmp.Length; j++) tmp[j] = src[offset + j * stride];
        return tmp;
    }

    /// <summary>Strides of <paramref name="t"/> aligned right to <paramref name="rank"/> dimensions, 0 where broadcast.</summary>
    internal static int[] BroadcastStrides(Tensor t, int rank)
    {
        var s = new int[rank];
        int lead = rank - t.Rank;
        for (int i = 0; i < t.Rank; i++) s[lead + i] = t.ShapeArray[i] == 1 ? 0 : t.StridesArray[i];
        return s;
    }
}
