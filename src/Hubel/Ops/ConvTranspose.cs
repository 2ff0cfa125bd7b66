using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Transposed convolution (PyTorch's conv_transpose1d/2d/3d; the notes' "deconvolution", §5.4.3 and §5.19.2):
/// the adjoint of the convolution with the same weight, so &lt;conv(x), y&gt; = &lt;x, convT(y)&gt;. Input [N, Cin, *in],
/// weight [Cin, Cout/groups, *kernel] (PyTorch's layout), optional bias [Cout]; output [N, Cout, *out] with, per
/// spatial dimension, out = (in - 1)·S - 2P + D(K-1) + outputPadding + 1. Each input pixel scatters a copy of the
/// kernel scaled by its value, stride S apart; overlaps add (the notes' 2x2 input, 4x4 kernel, stride 3 → 7x7).
/// Computed as col2im(Wᵀ x); the data gradient is a convolution of dY, the weight gradient x·col(dY)ᵀ.</summary>
public static partial class F
{
    /// <summary>[N, Cin, L] → [N, Cout, (L-1)S - 2P + D(K-1) + outputPadding + 1].</summary>
    /// <exception cref="ArgumentException">a tensor has the wrong rank or shape, or dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride or dilation below 1, negative padding, outputPadding not below
    /// stride or dilation, groups not dividing the channels, or an output size below 1; the exception names the argument.</exception>
    public static Tensor ConvTranspose1d(Tensor input, Tensor weight, Tensor? bias = null,
        int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1) =>
        ConvTransposeNd(input, weight, bias, [stride], [padding], [outputPadding], groups, [dilation], "conv_transpose1d");

    /// <summary>[N, Cin, H, W] → [N, Cout, (H-1)SH - 2PH + DH(KH-1) + outputPaddingH + 1, likewise W].</summary>
    /// <exception cref="ArgumentException">a tensor has the wrong rank or shape, or dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride or dilation below 1, negative padding, outputPadding not below
    /// stride or dilation, groups not dividing the channels, or an output size below 1; the exception names the argument.</exception>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null,
        Size2? stride = null, Size2? padding = null, Size2? outputPadding = null, int groups = 1, Size2? dilation = null)
    {
        Size2 s = stride ?? 1, p = padding ?? 0, op = outputPadding ?? 0, d = dilation ?? 1;
        return ConvTransposeNd(input, weight, bias, [s.H, s.W], [p.H, p.W], [op.H, op.W], groups, [d.H, d.W], "conv_transpose2d");
    }

    /// <summary>[N, Cin, D, H, W] → [N, Cout, OD, OH, OW], each (in-1)S - 2P + D(K-1) + outputPadding + 1.</summary>
    /// <exception cref="ArgumentException">a tensor has the wrong rank or shape, or dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride or dilation below 1, negative padding, outputPadding not below
    /// stride or dilation, groups not dividing the channels, or an output size below 1; the exception names the argument.</exception>
    public static Tensor ConvTranspose3d(Tensor input, Tensor weight, Tensor? bias = null,
        Size3? stride = null, Size3? padding = null, Size3? outputPadding = null, int groups = 1, Size3? dilation = null) =>
        ConvTransposeNd(input, weight, bias, (stride ?? 1).ToArray(), (padding ?? 0).ToArray(), (outputPadding ?? 0).ToArray(),
            groups, (dilation ?? 1).ToArray(), "conv_transpose3d");

    private static Tensor ConvTransposeNd(Tensor input, Tensor weight, Tensor? bias,
        int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation, string name)
    {
        var (g, inChannels, outShape) = ConvTransposeShape(input, weight, bias, stride, padding, outputPadding, groups, dilation);
        var x = input.Detach().Contiguous();
        var w = weight.Detach().Contiguous();
        var b = bias?.Detach().Contiguous();
        var y = Tensor.Zeros(outShape, input.DType);   // col2im adds into it
        if (input.DType == DType.Float32) TransposedForward<float>(x, w, b, y, g, groups, inChannels);
        else TransposedForward<double>(x, w, b, y, g, groups, inChannels);
        return Graph.Record(y, name, [input, weight, bias], dy =>
        {
            dy = dy.Contiguous();
            var dx = input.RequiresGrad ? Tensor.Empty(x.ShapeArray, x.DType) : null;   // overwritten
            var dw = weight.RequiresGrad ? Tensor.Empty(w.ShapeArray, w.DType) : null;
            var db = bias is { RequiresGrad: true } ? Tensor.Empty(b!.ShapeArray, b.DType) : null;
            if (input.DType == DType.Float32) TransposedBackward<float>(x, w, dy, dx, dw, db, g, groups, inChannels);
            else TransposedBackward<double>(x, w, dy, dx, dw, db, g, groups, inChannels);
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    /// <summary>Output size of a transposed convolution along one dimension: (in-1)S - 2P + D(K-1) + outputPadding + 1.</summary>
    internal static long ConvTransposeOutputSize(int input, int kernel, int stride = 1, int padding = 0, int outputPadding = 0, int dilation = 1) =>
        (long)(input - 1) * stride - 2L * padding + (long)dilation * (kernel - 1) + outputPadding + 1;

    /// <summary>Validates a transposed convolution (PyTorch's rules) and returns the geometry of its adjoint convolution.</summary>
    private static (ConvGeometry3 Geometry, int InChannels, int[] OutShape) ConvTransposeShape(Tensor input, Tensor weight, Tensor? bias,
        int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation)
    {
        int rank = stride.Length;
        CheckConvOperands(input, weight, bias, rank, "[Cin, Cout/groups, *kernel]");
        CheckAtLeast(stride, 1, nameof(stride));
        CheckAtLeast(dilation, 1, nameof(dilation));
        CheckAtLeast(padding, 0, nameof(padding));
        CheckAtLeast(outputPadding, 0, nameof(outputPadding));
        for (int i = 0; i < rank; i++)
            if (outputPadding[i] >= Math.Max(stride[i], dilation[i]))
                throw new ArgumentOutOfRangeException(nameof(outputPadding),
                    $"outputPadding ({outputPadding[i]}) must be smaller than either stride ({stride[i]}) or dilation ({dilation[i]}) in dimension {i}");
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), $"groups must be >= 1; got {groups}");
        int inChannels = input.Size(1);
        if (weight.Size(0) != inChannels)
            throw new ArgumentException($"weight must be [Cin, Cout/groups, *kernel] with Cin = {inChannels} (the input's channels); got {ShapeMath.Format(weight.ShapeArray)}", nameof(weight));
        if (inChannels % groups != 0) throw new ArgumentOutOfRangeException(nameof(groups), $"groups ({groups}) must divide the input channels ({inChannels})");
        int outChannels = weight.Size(1) * groups;
        if (bias is not null && bias.Size(0) != outChannels)
            throw new ArgumentException($"bias must have shape [{outChannels}] (weight.Size(1)·groups); got {ShapeMath.Format(bias.ShapeArray)}", nameof(bias));
        int[] spatial = input.ShapeArray[2..], kernel = weight.ShapeArray[2..];
        var outSpatial = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            long size = ConvTransposeOutputSize(spatial[i], kernel[i], stride[i], padding[i], outputPadding[i], dilation[i]);
            if (size < 1 || size > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(padding),
                    $"output size (in-1)·S - 2P + D(K-1) + outputPadding + 1 = ({spatial[i]}-1)·{stride[i]} - 2·{padding[i]} + {dilation[i]}·({kernel[i]}-1) + {outputPadding[i]} + 1 = {size} in dimension {i}; expected >= 1");
            outSpatial[i] = (int)size;
        }
        int[] outShape = [input.Size(0), outChannels, .. outSpatial];
        ShapeMath.Numel(outShape, "output");
        // The adjoint convolution reads the transposed output (C = Cout, outSpatial) and produces the transposed input.
        var g = Geometry3(input.Size(0), outChannels, outSpatial, kernel, stride, dilation, padding, spatial);
        return (g, inChannels, outShape);
    }

    private static void TransposedForward<T>(Tensor x, Tensor w, Tensor? b, Tensor y, ConvGeometry3 g, int groups, int inChannels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ConvNdKernels.TransposedForward<T>(Mem<T>(x), Mem<T>(w), b is null ? default(ReadOnlyMemory<T>?) : Mem<T>(b), MutMem<T>(y), g, groups, inChannels);

    private static void TransposedBackward<T>(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, ConvGeometry3 g, int groups, int inChannels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ConvNdKernels.TransposedBackward<T>(Mem<T>(x), Mem<T>(w), Mem<T>(dy), OptMut<T>(dx), OptMut<T>(dw), OptMut<T>(db), g, groups, inChannels);
}
