using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>softmax(x)_i = e^(x_i - max) / Σ_j e^(x_j - max) along one dimension (subtracting the max keeps
/// e^x finite); log_softmax = x - max - log Σ e^(x - max). Backward: softmax dx = y ⊙ (g - Σ g⊙y);
/// log_softmax dx = g - softmax ⊙ Σ g.</summary>
public static partial class F
{
    public static Tensor Softmax(Tensor x, int dim = -1) => SoftmaxCore(x, dim, log: false);

    public static Tensor LogSoftmax(Tensor x, int dim = -1) => SoftmaxCore(x, dim, log: true);

    private static Tensor SoftmaxCore(Tensor input, int dim, bool log)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0) throw new ArgumentException("softmax needs at least one dimension", nameof(input));
        int d = ShapeMath.NormalizeDim(dim, input.Rank, nameof(dim));
        // Move the softmax dimension last so every row is contiguous.
        var moved = d == input.Rank - 1 ? input.Detach().Contiguous() : input.Detach().Transpose(d, -1).Contiguous();
        var y = Tensor.Empty(moved.ShapeArray, moved.DType);
        int n = moved.Size(-1);
        if (moved.DType == DType.Float32) Rows<float>(moved, y, n, log);
        else Rows<double>(moved, y, n, log);
        var output = d == input.Rank - 1 ? y : y.Transpose(d, -1).Contiguous();
        return Graph.Record(output, log ? "log_softmax" : "softmax", [input], g =>
        {
            var gm = (d == input.Rank - 1 ? g : g.Transpose(d, -1)).Contiguous();
            var dx = Tensor.Empty(gm.ShapeArray, gm.DType);
            if (gm.DType == DType.Float32) RowsBackward<float>(y, gm, dx, n, log);
            else RowsBackward<double>(y, gm, dx, n, log);
            return [d == input.Rank - 1 ? dx : dx.Transpose(d, -1).Contiguous()];
        });
    }

    private static void Rows<T>(Tensor x, Tensor y, int n, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var src = x.Span<T>(); var dst = y.Span<T>();
        for (int r = 0; r + n <= src.Length && n > 0; r += n)
        {
            var row = src.Slice(r, n); var o = dst.Slice(r, n);
            T max = TensorPrimitives.Max<T>(row);
            TensorPrimitives.Subtract<T>(row, max, o);
            if (log)
            {
                var tmp = new T[n];
                TensorPrimitives.Exp<T>(o, tmp);
                T lse = T.Log(TensorPrimitives.Sum<T>(tmp));
                TensorPrimitives.Subtract<T>(o, lse, o);
            }
            else
            {
                TensorPrimitives.Exp<T>(o, o);
                TensorPrimitives.Divide<T>(o, TensorPrimitives.Sum<T>(o), o);
            }
        }
    }

    private static void RowsBackward<T>(Tensor y, Tensor g, Tensor dx, int n, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ys = y.Span<T>(); var gs = g.Span<T>(); var ds = dx.Span<T>();
        var tmp = new T[n];
        for (int r = 0; r + n <= ys.Length && n > 0; r += n)
        {
            var yr = ys.Slice(r, n); var gr = gs.Slice(r, n); var dr = ds.Slice(r, n);
            if (log)
            {
                T sum = TensorPrimitives.Sum<T>(gr);
                TensorPrimitives.Exp<T>(yr, tmp);                  // softmax = e^(log_softmax)
                TensorPrimitives.Multiply<T>(tmp, sum, tmp);
                TensorPrimitives.Subtract<T>(gr, tmp, dr);
            }
            else
            {
                T dot = TensorPrimitives.Dot<T>(gr, yr);
                TensorPrimitives.Subtract<T>(gr, dot, dr);
                TensorPrimitives.Multiply<T>(dr, yr, dr);
            }
        }
    }
}
