using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Padding of the last 1-3 dimensions (PyTorch's F.pad): pad lists (before, after) pairs
/// starting from the LAST dimension, [left, right, top, bottom, front, back], as PyTorch orders them. Output: each padded
/// dimension grows to before + size + after. Modes: see <see cref="PaddingMode"/>. The gradient of a border element goes
/// back to the input element it copies (several borders may add to one element); zero borders get none.</summary>
public static partial class F
{
    /// <exception cref="ArgumentException">pad has an odd length or more pairs than the mode allows, or the input rank does
    /// not fit the mode (reflect/replicate/circular pad the last k dims of a (k+1)- or (k+2)-D input, k ≤ 3).</exception>
    /// <exception cref="ArgumentOutOfRangeException">a negative amount, reflect padding not smaller than the input size, or
    /// circular padding larger than it; the exception names <paramref name="pad"/>.</exception>
    public static Tensor Pad(Tensor input, int[] pad, PaddingMode mode = PaddingMode.Zeros)
    {
        var (outShape, outer, inSizes, maps) = PadShape(input, pad, mode);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty(outShape, input.DType);
        if (x.DType == DType.Float32) PadKernels.Forward<float>(Mem<float>(x), MutMem<float>(y), outer, inSizes, maps);
        else PadKernels.Forward<double>(Mem<double>(x), MutMem<double>(y), outer, inSizes, maps);
        return Graph.Record(y, "pad", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) PadKernels.Backward<float>(Mem<float>(dy), MutMem<float>(dx), outer, inSizes, maps);
            else PadKernels.Backward<double>(Mem<double>(dy), MutMem<double>(dx), outer, inSizes, maps);
            return [dx];
        });
    }

    private static (int[] OutShape, int Outer, int[] InSizes, int[][] Maps) PadShape(Tensor input, int[] pad, PaddingMode mode)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(pad);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), $"mode must be one of {string.Join(", ", Enum.GetNames<PaddingMode>())}; got {(int)mode}");
        if (pad.Length == 0 || pad.Length % 2 != 0 || pad.Length > 6)
            throw new ArgumentException($"pad must hold 1 to 3 (before, after) pairs, last dimension first; got {pad.Length} values", nameof(pad));
        int k = pad.Length / 2, rank = input.Rank;
        if (mode == PaddingMode.Zeros ? rank < k : rank != k + 1 && rank != k + 2)
            throw new ArgumentException(mode == PaddingMode.Zeros
                ? $"cannot pad {k} dimensions of a rank-{rank} input"
                : $"{mode} padding of {k} dimension(s) needs a {k + 1}-D or {k + 2}-D input (with or without batch); got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (pad.Any(p => p < 0)) throw new ArgumentOutOfRangeException(nameof(pad), $"pad amounts must be >= 0; got [{string.Join(", ", pad)}]");
        var outShape = input.ShapeArray.ToArray();
        int[] inSizes = [1, 1, 1];
        int[][] maps = [[0], [0], [0]];
        for (int j = 0; j < k; j++)
        {
            int dim = rank - 1 - j, size = input.Size(dim), before = pad[2 * j], after = pad[2 * j + 1];
            if (mode == PaddingMode.Reflect && (before >= size || after >= size))
                throw new ArgumentOutOfRangeException(nameof(pad), $"reflect padding ({before}, {after}) must be smaller than the input size {size} of dimension {dim}");
            if (mode == PaddingMode.Circular && (before > size || after > size))
                throw new ArgumentOutOfRangeException(nameof(pad), $"circular padding ({before}, {after}) must be at most the input size {size} of dimension {dim}");
            if (mode != PaddingMode.Zeros && size < 1 && before + after > 0)
                throw new ArgumentException($"{mode} padding needs a non-empty dimension {dim}; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
            outShape[dim] = checked(before + size + after);
            inSizes[2 - j] = size;
            maps[2 - j] = PadKernels.Map(size, before, after, mode);
        }
        int outer = 1;
        for (int d = 0; d < rank - k; d++) outer *= input.Size(d);
        ShapeMath.Numel(outShape, "output");
        return (outShape, outer, inSizes, maps);
    }
}
