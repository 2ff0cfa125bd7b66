using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Sum and mean, over everything or over chosen dimensions. Backward broadcasts the
/// gradient back over the reduced dimensions (divided by the count for mean).</summary>
public static partial class F
{
    /// <summary>Sum of all elements, as a scalar tensor.</summary>
    public static Tensor Sum(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var c = x.Detach().Contiguous();
        double s = c.DType == DType.Float32 ? TensorPrimitives.Sum<float>(c.Span<float>()) : TensorPrimitives.Sum<double>(c.Span<double>());
        var y = Tensor.Scalar(s, x.DType);
        var shape = x.ShapeArray;
        return Graph.Record(y, "sum", [x], g => [g.Reshape(Enumerable.Repeat(1, shape.Length).ToArray()).BroadcastTo(shape).Contiguous()]);
    }

    /// <summary>Mean of all elements, as a scalar tensor.</summary>
    public static Tensor Mean(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Numel == 0) throw new ArgumentException("mean of an empty tensor is undefined", nameof(x));
        return Scale(Sum(x), 1.0 / x.Numel);
    }

    /// <summary>Sum over <paramref name="dims"/>; keeps them as size 1 when <paramref name="keepDim"/>.</summary>
    public static Tensor Sum(Tensor x, int[] dims, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dims);
        var reduce = new bool[x.Rank];
        foreach (var d in dims)
        {
            int n = ShapeMath.NormalizeDim(d, x.Rank, nameof(dims));
            if (reduce[n]) throw new ArgumentException($"dimension {d} is listed twice", nameof(dims));
            reduce[n] = true;
        }
        var keptShape = x.ShapeArray.Select((s, i) => reduce[i] ? 1 : s).ToArray();
        var y = SumKept(x.Detach(), keptShape);
        var outShape = keepDim ? keptShape : x.ShapeArray.Where((_, i) => !reduce[i]).ToArray();
        y = y.Reshape(outShape).Detach();
        var inShape = x.ShapeArray;
        return Graph.Record(y, "sum_dim", [x], g => [g.Reshape(keptShape).BroadcastTo(inShape).Contiguous()]);
    }

    public static Tensor Mean(Tensor x, int[] dims, bool keepDim = false)
    {
        var s = Sum(x, dims, keepDim);
        int count = x.Numel / Math.Max(1, s.Numel);
        if (count == 0) throw new ArgumentException("mean over an empty dimension is undefined", nameof(x));
        return Scale(s, 1.0 / count);
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="shape"/> (the reverse of broadcasting).</summary>
    internal static Tensor SumToShape(Tensor g, int[] shape)
    {
        if (g.Shape.SequenceEqual(shape)) return g;
        int lead = g.Rank - shape.Length;
        var kept = new int[g.Rank];
        for (int i = 0; i < g.Rank; i++) kept[i] = i < lead ? 1 : (shape[i - lead] == 1 ? 1 : g.ShapeArray[i]);
        using var _ = Graph.NoGrad();
        return SumKept(g, kept).Reshape(shape);
    }

    /// <summary>Sum of x into <paramref name="keptShape"/> (same rank, 1 where reduced).</summary>
    private static Tensor SumKept(Tensor x, int[] keptShape) =>
        x.DType == DType.Float32 ? SumKept<float>(x, keptShape) : SumKept<double>(x, keptShape);

    private static Tensor SumKept<T>(Tensor x, int[] keptShape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = x.Contiguous();
        var src = c.Span<T>();
        var y = Tensor.Zeros(keptShape, x.DType);
        var dst = y.Span<T>();
        int rank = x.Rank;
        if (rank == 0 || src.Length == 0) { if (src.Length == 1) dst[0] = src[0]; return y; }
        var outStrides = ShapeMath.ContiguousStrides(keptShape);
        for (int i = 0; i < rank; i++) if (keptShape[i] == 1 && x.ShapeArray[i] != 1) outStrides[i] = 0;
        int inner = x.ShapeArray[rank - 1];
        bool innerReduced = outStrides[rank - 1] == 0 && inner != 1;
        Span<int> idx = stackalloc int[rank];
        int outer = src.Length / inner;
        for (int o = 0, pos = 0; o < outer; o++, pos += inner)
        {
            int off = 0;
            for (int k = 0; k < rank - 1; k++) off += idx[k] * outStrides[k];
            var row = src.Slice(pos, inner);
            if (innerReduced) dst[off] += TensorPrimitives.Sum<T>(row);
            else TensorPrimitives.Add<T>(dst.Slice(off, inner), row, dst.Slice(off, inner));
            for (int k = rank - 2; k >= 0; k--)
            {
                if (++idx[k] < x.ShapeArray[k]) break;
                idx[k] = 0;
            }
        }
        return y;
    }
}
