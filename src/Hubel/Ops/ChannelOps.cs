using System.Numerics;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Ops that regroup channels or tensors: Maxout (max over groups of k channels), ShuffleNet's channel
/// shuffle, and concatenation along a dimension.</summary>
public static partial class F
{
    /// <summary>Maxout over channels: [N, C·k, *] → [N, C, *], output channel c = max of input channels c·k .. c·k + k - 1
    /// (the notes' max(w₁ᵀx + b₁, w₂ᵀx + b₂) when the previous layer computes the k affine pieces as channels).
    /// k = 1 is the identity. The gradient goes to the argmax of each group (the first one on ties).</summary>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 1.</exception>
    /// <exception cref="ArgumentException">rank &lt; 2, or the channel count is not a multiple of k.</exception>
    public static Tensor Maxout(Tensor x, int k)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "the number of pieces k must be >= 1");
        if (x.Rank < 2) throw new ArgumentException($"input must be [N, C·k, *]; got shape {ShapeMath.Format(x.ShapeArray)}", nameof(x));
        if (x.Size(1) % k != 0) throw new ArgumentException($"channel count {x.Size(1)} is not a multiple of k = {k}", nameof(x));
        var input = x.Detach().Contiguous();
        var shape = (int[])x.ShapeArray.Clone();
        shape[1] /= k;
        int inner = 1;
        for (int d = 2; d < x.Rank; d++) inner *= x.Size(d);
        var y = Tensor.Empty(shape, x.DType);
        var argmax = new int[y.Numel];
        if (x.DType == DType.Float32) MaxoutForward<float>(input.Span<float>(), y.Span<float>(), argmax, k, inner);
        else MaxoutForward<double>(input.Span<double>(), y.Span<double>(), argmax, k, inner);
        return Graph.Record(y, "maxout", [x], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.ZerosLike(input);
            if (x.DType == DType.Float32) Scatter<float>(dy.Span<float>(), argmax, dx.Span<float>());
            else Scatter<double>(dy.Span<double>(), argmax, dx.Span<double>());
            return [dx];
        });
    }

    /// <summary>Output element i (of [groupsTotal, inner]) is the max over the k inputs [group·k + j, inner].</summary>
    private static void MaxoutForward<T>(ReadOnlySpan<T> x, Span<T> y, int[] argmax, int k, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++)
        {
            int group = i / inner, pos = i % inner, best = group * k * inner + pos;
            for (int j = 1; j < k; j++)
            {
                int q = (group * k + j) * inner + pos;
                if (x[q] > x[best] || T.IsNaN(x[q])) best = q;
            }
            y[i] = x[best];
            argmax[i] = best;
        }
    }

    private static void Scatter<T>(ReadOnlySpan<T> dy, int[] index, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dy.Length; i++) dx[index[i]] += dy[i];
    }

    /// <summary>ShuffleNet's channel shuffle over [N, C, *] with C = g·m: channel i·m + j moves to j·g + i, i.e.
    /// reshape to [N, g, m, *], swap the two group axes, reshape back. Composed from views (no hand-written backward).</summary>
    /// <exception cref="ArgumentOutOfRangeException">groups &lt; 1.</exception>
    /// <exception cref="ArgumentException">rank &lt; 3, or C not a multiple of groups.</exception>
    public static Tensor ChannelShuffle(Tensor x, int groups)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "groups must be >= 1");
        if (x.Rank < 3) throw new ArgumentException($"input must be [N, C, *] with at least one spatial dimension; got shape {ShapeMath.Format(x.ShapeArray)}", nameof(x));
        int c = x.Size(1);
        if (c % groups != 0) throw new ArgumentException($"channel count {c} is not a multiple of groups = {groups}", nameof(x));
        int[] split = [x.Size(0), groups, c / groups, .. x.ShapeArray[2..]];
        return x.Reshape(split).Transpose(1, 2).Contiguous().Reshape(x.ShapeArray);
    }

    /// <summary>Concatenation along <paramref name="dim"/>: all tensors share rank, dtype and every other dimension;
    /// the output's size along dim is the sum. Backward hands each input its slice of the gradient.</summary>
    /// <exception cref="ArgumentException">no tensors, a null entry, or mismatched rank, dtype or shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">dim outside [-rank, rank).</exception>
    public static Tensor Cat(Tensor[] tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("need at least one tensor to concatenate", nameof(tensors));
        if (tensors.Any(t => t is null)) throw new ArgumentException("tensors contains a null entry", nameof(tensors));
        var first = tensors[0];
        if (first.Rank == 0) throw new ArgumentException("cannot concatenate scalars (rank 0)", nameof(tensors));
        int d = ShapeMath.NormalizeDim(dim, first.Rank, nameof(dim));
        foreach (var t in tensors)
        {
            if (t.DType != first.DType) throw new ArgumentException($"dtypes differ: {first.DType} and {t.DType}", nameof(tensors));
            bool same = t.Rank == first.Rank;
            for (int i = 0; same && i < t.Rank; i++) same = i == d || t.ShapeArray[i] == first.ShapeArray[i];
            if (!same) throw new ArgumentException($"shapes {ShapeMath.Format(first.ShapeArray)} and {ShapeMath.Format(t.ShapeArray)} differ outside dimension {d}", nameof(tensors));
        }
        var sizes = tensors.Select(t => t.ShapeArray[d]).ToArray();
        var shape = (int[])first.ShapeArray.Clone();
        shape[d] = checked(sizes.Sum());
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.Length; i++) inner *= shape[i];
        var y = Tensor.Empty(shape, first.DType);
        int offset = 0;
        foreach (var t in tensors)
        {
            var src = t.Detach().Contiguous();
            if (y.DType == DType.Float32) CopyBlocks<float>(src.Span<float>(), y.Span<float>(), outer, t.ShapeArray[d] * inner, shape[d] * inner, offset * inner);
            else CopyBlocks<double>(src.Span<double>(), y.Span<double>(), outer, t.ShapeArray[d] * inner, shape[d] * inner, offset * inner);
            offset += t.ShapeArray[d];
        }
        return Graph.Record(y, "cat", tensors, g =>
        {
            var grads = new Tensor?[tensors.Length];
            for (int i = 0, start = 0; i < tensors.Length; start += sizes[i], i++)
                grads[i] = tensors[i].RequiresGrad ? g.Slice(d, start, start + sizes[i]).Contiguous() : null;
            return grads;
        });
    }

    /// <summary>Copies <paramref name="outer"/> blocks of <paramref name="block"/> elements into rows of <paramref name="row"/>
    /// elements, each at <paramref name="offset"/>.</summary>
    private static void CopyBlocks<T>(ReadOnlySpan<T> src, Span<T> dst, int outer, int block, int row, int offset)
    {
        for (int o = 0; o < outer; o++) src.Slice(o * block, block).CopyTo(dst.Slice(o * row + offset, block));
    }
}
