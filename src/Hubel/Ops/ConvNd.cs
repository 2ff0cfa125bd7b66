using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>1-D and 3-D cross-correlation (PyTorch's conv1d/conv3d). Input [N, C, *spatial], weight
/// [Cout, C/groups, *kernel], optional bias [Cout]; output [N, Cout, *out] with, per spatial dimension,
/// out = floor((in + padBefore + padAfter - D(K-1) - 1)/S) + 1. Both run as im2col + GEMM on a 3-D geometry
/// (1-D is D = H = 1 and lowers through the 2-D im2col). Padding is zero padding; the layers pad with
/// <see cref="Pad"/> first for the other <see cref="PaddingMode"/>s, as PyTorch's modules do.</summary>
public static partial class F
{
    /// <summary>1-D convolution: [N, C, L] ⋆ [Cout, C/groups, K] → [N, Cout, floor((L + padL + padR - D(K-1) - 1)/S) + 1].
    /// Padding: Valid, Same, Full, an int for both ends, or <see cref="Padding.Explicit1d"/> for asymmetric amounts.</summary>
    /// <exception cref="ArgumentException">a tensor has the wrong rank or shape, or dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride or dilation below 1, negative padding, groups not dividing
    /// the channels, or a kernel larger than the padded input; the exception names the argument.</exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null,
        int stride = 1, Padding? padding = null, int dilation = 1, int groups = 1) =>
        ConvNd(input, weight, bias, [stride], padding ?? Padding.Valid, [dilation], groups, "conv1d");

    /// <summary>3-D convolution: [N, C, D, H, W] ⋆ [Cout, C/groups, KD, KH, KW] → [N, Cout, OD, OH, OW].
    /// Padding: Valid, Same, Full, an int for every side, or <see cref="Padding.Explicit3d"/>.</summary>
    /// <exception cref="ArgumentException">a tensor has the wrong rank or shape, or dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride or dilation below 1, negative padding, groups not dividing
    /// the channels, or a kernel larger than the padded input; the exception names the argument.</exception>
    public static Tensor Conv3d(Tensor input, Tensor weight, Tensor? bias = null,
        Size3? stride = null, Padding? padding = null, Size3? dilation = null, int groups = 1) =>
        ConvNd(input, weight, bias, (stride ?? 1).ToArray(), padding ?? Padding.Valid, (dilation ?? 1).ToArray(), groups, "conv3d");

    private static Tensor ConvNd(Tensor input, Tensor weight, Tensor? bias, int[] stride, Padding padding, int[] dilation, int groups, string name)
    {
        var (g, outChannels, outShape) = ConvNdShape(input, weight, bias, stride, padding, dilation, groups);
        var x = input.Detach().Contiguous();
        var w = weight.Detach().Contiguous();
        var b = bias?.Detach().Contiguous();
        var y = Tensor.Empty(outShape, input.DType);
        if (input.DType == DType.Float32) ConvNdForward<float>(x, w, b, y, g, groups, outChannels);
        else ConvNdForward<double>(x, w, b, y, g, groups, outChannels);
        return Graph.Record(y, name, [input, weight, bias], dy =>
        {
            dy = dy.Contiguous();
            var dx = input.RequiresGrad ? Tensor.ZerosLike(x) : null;
            var dw = weight.RequiresGrad ? Tensor.Empty(w.ShapeArray, w.DType) : null;
            var db = bias is { RequiresGrad: true } ? Tensor.Empty(b!.ShapeArray, b.DType) : null;
            if (input.DType == DType.Float32) ConvNdBackward<float>(x, w, dy, dx, dw, db, g, groups, outChannels);
            else ConvNdBackward<double>(x, w, dy, dx, dw, db, g, groups, outChannels);
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    /// <summary>Validates a 1-D or 3-D convolution (rank from <paramref name="stride"/>) before any compute.</summary>
    private static (ConvGeometry3 Geometry, int OutChannels, int[] OutShape) ConvNdShape(Tensor input, Tensor weight, Tensor? bias,
        int[] stride, Padding padding, int[] dilation, int groups)
    {
        int rank = stride.Length;
        CheckConvOperands(input, weight, bias, rank, "[Cout, C/groups, *kernel]");
        CheckAtLeast(stride, 1, nameof(stride));
        CheckAtLeast(dilation, 1, nameof(dilation));
        ArgumentNullException.ThrowIfNull(padding);
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), $"groups must be >= 1; got {groups}");
        int c = input.Size(1), outChannels = weight.Size(0);
        if (c % groups != 0) throw new ArgumentOutOfRangeException(nameof(groups), $"groups ({groups}) must divide the input channels ({c})");
        if (outChannels % groups != 0) throw new ArgumentOutOfRangeException(nameof(groups), $"groups ({groups}) must divide the output channels ({outChannels})");
        if (weight.Size(1) != c / groups)
            throw new ArgumentException($"weight has {weight.Size(1)} input channels per group; input has {c} channels in {groups} group(s), so expected {c / groups}", nameof(weight));
        if (bias is not null && bias.Size(0) != outChannels)
            throw new ArgumentException($"bias must have shape [{outChannels}]; got {ShapeMath.Format(bias.ShapeArray)}", nameof(bias));
        int[] spatial = input.ShapeArray[2..], kernel = weight.ShapeArray[2..];
        var pads = padding.ResolveNd(spatial, kernel, stride, dilation);
        var outSpatial = new int[rank];
        for (int i = 0; i < rank; i++)
            outSpatial[i] = ConvGeometry.OutputSize(spatial[i], pads[i].Before, pads[i].After, kernel[i], stride[i], dilation[i], nameof(weight));
        int[] outShape = [input.Size(0), outChannels, .. outSpatial];
        ShapeMath.Numel(outShape, "output");
        return (Geometry3(input.Size(0), c, spatial, kernel, stride, dilation, pads.Select(p => p.Before).ToArray(), outSpatial), outChannels, outShape);
    }

    /// <summary>Ranks, dtypes, bias rank and non-empty spatial sizes shared by the N-d convolutions and their transposes.</summary>
    private static void CheckConvOperands(Tensor input, Tensor weight, Tensor? bias, int rank, string weightLayout)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        string dims = rank switch { 1 => "[N, C, L]", 2 => "[N, C, H, W]", _ => "[N, C, D, H, W]" };
        if (input.Rank != rank + 2) throw new ArgumentException($"input must be {dims}; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (weight.Rank != rank + 2) throw new ArgumentException($"weight must be {weightLayout} of rank {rank + 2}; got shape {ShapeMath.Format(weight.ShapeArray)}", nameof(weight));
        if (weight.DType != input.DType) throw new ArgumentException($"weight dtype {weight.DType} differs from input dtype {input.DType}", nameof(weight));
        for (int i = 2; i < rank + 2; i++)
        {
            // As in PyTorch: an empty batch is fine, an empty image is not.
            if (input.Size(i) < 1) throw new ArgumentException($"input spatial sizes must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
            if (weight.Size(i) < 1) throw new ArgumentOutOfRangeException(nameof(weight), $"kernel sizes must be >= 1; got shape {ShapeMath.Format(weight.ShapeArray)}");
        }
        if (bias is not null)
        {
            if (bias.Rank != 1) throw new ArgumentException($"bias must have rank 1; got {ShapeMath.Format(bias.ShapeArray)}", nameof(bias));
            if (bias.DType != input.DType) throw new ArgumentException($"bias dtype {bias.DType} differs from input dtype {input.DType}", nameof(bias));
        }
    }

    private static void CheckAtLeast(int[] values, int min, string name)
    {
        if (values.Any(v => v < min))
            throw new ArgumentOutOfRangeException(name, $"{name} must be >= {min} in every dimension; got ({string.Join(", ", values)})");
    }

    /// <summary>A 3-D geometry from 1-, 2- or 3-D sizes (missing leading dimensions are 1, with no padding).</summary>
    private static ConvGeometry3 Geometry3(int n, int c, int[] input, int[] kernel, int[] stride, int[] dilation, int[] padBefore, int[] output)
    {
        int[] Lift(int[] v, int fill) => [.. Enumerable.Repeat(fill, 3 - v.Length), .. v];
        int[] i = Lift(input, 1), k = Lift(kernel, 1), s = Lift(stride, 1), d = Lift(dilation, 1), p = Lift(padBefore, 0), o = Lift(output, 1);
        return new ConvGeometry3(n, c, i[0], i[1], i[2], k[0], k[1], k[2], s[0], s[1], s[2], d[0], d[1], d[2], p[0], p[1], p[2], o[0], o[1], o[2]);
    }

    private static void ConvNdForward<T>(Tensor x, Tensor w, Tensor? b, Tensor y, ConvGeometry3 g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ConvNdKernels.Forward<T>(Mem<T>(x), Mem<T>(w), b is null ? default(ReadOnlyMemory<T>?) : Mem<T>(b), MutMem<T>(y), g, groups, outChannels);

    private static void ConvNdBackward<T>(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, ConvGeometry3 g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ConvNdKernels.Backward<T>(Mem<T>(x), Mem<T>(w), Mem<T>(dy), OptMut<T>(dx), OptMut<T>(dw), OptMut<T>(db), g, groups, outChannels);

}
