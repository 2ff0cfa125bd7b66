using System.Numerics;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Embedding lookup: row indices[i] of weight [V, D] for each index; output [*shape, D].</summary>
public static partial class F
{
    /// <param name="indices">row numbers in [0, V), in row-major order of <paramref name="shape"/>.</param>
    /// <param name="weight">the table [V, D].</param>
    /// <param name="shape">the shape of the index array (default: [indices.Length]).</param>
    /// <remarks>Backward scatters: row v of the weight gradient is the sum of the output gradients of every
    /// position that looked v up.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">an index outside [0, V).</exception>
    /// <exception cref="ArgumentException">weight not rank 2, or shape does not hold indices.Length elements.</exception>
    public static Tensor Embedding(ReadOnlySpan<int> indices, Tensor weight, int[]? shape = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"weight must be [V, D]; got shape {ShapeMath.Format(weight.ShapeArray)}", nameof(weight));
        int v = weight.Size(0), dim = weight.Size(1);
        var indexShape = shape ?? [indices.Length];
        if (indexShape.Any(s => s < 0) || ShapeMath.Numel(indexShape, nameof(shape)) != indices.Length)
            throw new ArgumentException($"shape {ShapeMath.Format(indexShape)} does not hold {indices.Length} indices", nameof(shape));
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"index {i} is {indices[i]}; expected [0, {v - 1}] (weight has {v} rows)");
        var idx = indices.ToArray();
        var w = weight.Detach().Contiguous();
        var y = Tensor.Empty([.. indexShape, dim], weight.DType);
        if (w.DType == DType.Float32) Gather<float>(w.Span<float>(), idx, dim, y.Span<float>());
        else Gather<double>(w.Span<double>(), idx, dim, y.Span<double>());
        return Graph.Record(y, "embedding", [weight], g =>
        {
            var dy = g.Contiguous();
            var dw = Tensor.Zeros(w.ShapeArray, w.DType);
            if (w.DType == DType.Float32) ScatterRows<float>(dy.Span<float>(), idx, dim, dw.Span<float>());
            else ScatterRows<double>(dy.Span<double>(), idx, dim, dw.Span<double>());
            return [dw];
        });
    }

    private static void Gather<T>(ReadOnlySpan<T> w, int[] idx, int dim, Span<T> y)
    {
        for (int i = 0; i < idx.Length; i++) w.Slice(idx[i] * dim, dim).CopyTo(y.Slice(i * dim, dim));
    }

    private static void ScatterRows<T>(ReadOnlySpan<T> dy, int[] idx, int dim, Span<T> dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < idx.Length; i++)
        {
            var row = dw.Slice(idx[i] * dim, dim);
            var g = dy.Slice(i * dim, dim);
            for (int j = 0; j < dim; j++) row[j] += g[j];
        }
    }
}
