using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>2-D cross-correlation (what deep-learning libraries call convolution; the notes' worked
/// example [[2,5,0,1],...] ⋆ [[1,0,1],...] = [[-1,4],[6,16]]). Input [N, C, H, W], weight
/// [Cout, C/groups, KH, KW], optional bias [Cout]; output [N, Cout, OH, OW] with
/// OH = floor((H + padTop + padBottom - DH(KH-1) - 1)/SH) + 1 (likewise OW).</summary>
public static partial class F
{
    /// <exception cref="ArgumentException">a tensor has the wrong rank or shape, or dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride or dilation below 1, negative padding, groups not dividing
    /// the channels, or a kernel larger than the padded input; the exception names the argument.</exception>
    /// <param name="algorithm">Direct (im2col + GEMM, or the depthwise kernel) or Fft (stride 1 and dilation 1 only; pays off
    /// for large kernels). Both give the same result within float rounding.</param>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null,
        Size2? stride = null, Padding? padding = null, Size2? dilation = null, int groups = 1, ConvAlgorithm algorithm = ConvAlgorithm.Direct)
    {
        if (algorithm == ConvAlgorithm.Fft)
        {
            if ((stride ?? 1) != new Size2(1, 1) || (dilation ?? 1) != new Size2(1, 1))
                throw new ArgumentException($"the FFT algorithm needs stride 1 and dilation 1; got stride {stride ?? 1}, dilation {dilation ?? 1}", nameof(algorithm));
            return Conv2dFft(input, weight, bias, padding, groups);
        }
        if (!Enum.IsDefined(algorithm))
            throw new ArgumentOutOfRangeException(nameof(algorithm), $"unknown convolution algorithm {algorithm}; expected one of {string.Join(", ", Enum.GetNames<ConvAlgorithm>())}");
        var (g, outChannels) = Conv2dShape(input, weight, bias, stride ?? 1, padding ?? Padding.Valid, dilation ?? 1, groups);
        var kernel = ConvKernelChoice.Resolve(algorithm, g, groups, outChannels);
        var forwardKernel = ConvKernelChoice.ResolveForward(algorithm, g, groups, outChannels, input.DType);
        var x = input.Detach().Contiguous();
        var w = weight.Detach().Contiguous();
        var b = bias?.Detach().Contiguous();
        var y = Tensor.Empty([g.N, outChannels, g.OutH, g.OutW], input.DType);
        if (input.DType == DType.Float32) Conv2dForward<float>(x, w, b, y, g, groups, outChannels, forwardKernel);
        else Conv2dForward<double>(x, w, b, y, g, groups, outChannels, forwardKernel);

        return Graph.Record(y, "conv2d", [input, weight, bias], dy =>
        {
            dy = dy.Contiguous();
            var dx = !input.RequiresGrad ? null
                : ConvKernelChoice.OverwritesInputGrad(kernel, g, x.DType) ? Tensor.Empty(x.ShapeArray, x.DType) : Tensor.ZerosLike(x);
            var dw = weight.RequiresGrad ? Tensor.Empty(w.ShapeArray, w.DType) : null;   // the kernel overwrites it
            var db = bias is { RequiresGrad: true } ? Tensor.Empty(b!.ShapeArray, b.DType) : null;
            if (input.DType == DType.Float32) Conv2dBackward<float>(x, w, dy, dx, dw, db, g, groups, outChannels, kernel);
            else Conv2dBackward<double>(x, w, dy, dx, dw, db, g, groups, outChannels, kernel);
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    /// <summary>Validates every argument of <see cref="Conv2d"/> before any compute and returns the geometry.</summary>
    internal static (ConvGeometry Geometry, int OutChannels) Conv2dShape(Tensor input, Tensor weight, Tensor? bias,
        Size2 stride, Padding padding, Size2 dilation, int groups)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(padding);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (weight.Rank != 4) throw new ArgumentException($"weight must be [Cout, C/groups, KH, KW]; got shape {ShapeMath.Format(weight.ShapeArray)}", nameof(weight));
        if (weight.DType != input.DType) throw new ArgumentException($"weight dtype {weight.DType} differs from input dtype {input.DType}", nameof(weight));
        stride.AtLeast(1, nameof(stride));
        dilation.AtLeast(1, nameof(dilation));
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), $"groups must be >= 1; got {groups}");
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        // As in PyTorch: an empty batch is fine, an empty image is not (padding alone would make up an output).
        if (h < 1 || w < 1) throw new ArgumentException($"input height and width must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        int outChannels = weight.Size(0), kh = weight.Size(2), kw = weight.Size(3);
        if (c % groups != 0) throw new ArgumentOutOfRangeException(nameof(groups), $"groups ({groups}) must divide the input channels ({c})");
        if (outChannels % groups != 0) throw new ArgumentOutOfRangeException(nameof(groups), $"groups ({groups}) must divide the output channels ({outChannels})");
        if (weight.Size(1) != c / groups)
            throw new ArgumentException($"weight has {weight.Size(1)} input channels per group; input has {c} channels in {groups} group(s), so expected {c / groups}", nameof(weight));
        if (kh < 1 || kw < 1) throw new ArgumentOutOfRangeException(nameof(weight), $"kernel size must be >= 1; got {kh}x{kw}");
        if (bias is not null)
        {
            if (bias.Rank != 1 || bias.Size(0) != outChannels)
                throw new ArgumentException($"bias must have shape [{outChannels}]; got {ShapeMath.Format(bias.ShapeArray)}", nameof(bias));
            if (bias.DType != input.DType) throw new ArgumentException($"bias dtype {bias.DType} differs from input dtype {input.DType}", nameof(bias));
        }
        var (top, bottom, left, right) = padding.Resolve(h, w, (kh, kw), stride, dilation);
        int oh = ConvGeometry.OutputSize(h, top, bottom, kh, stride.H, dilation.H, nameof(weight));
        int ow = ConvGeometry.OutputSize(w, left, right, kw, stride.W, dilation.W, nameof(weight));
        ShapeMath.Numel([n, outChannels, oh, ow], "output");
        return (new ConvGeometry(n, c, h, w, kh, kw, stride.H, stride.W, dilation.H, dilation.W, top, left, oh, ow), outChannels);
    }

    // Through the backend seam; `kernel` is what ConvKernelChoice.Resolve picked (or the caller forced).
    private static void Conv2dForward<T>(Tensor x, Tensor w, Tensor? b, Tensor y, ConvGeometry g, int groups, int outChannels, ConvAlgorithm kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bias = b is null ? default(ReadOnlyMemory<T>?) : Mem<T>(b);
        Backend.Cpu.Conv2dForward<T>(Mem<T>(x), Mem<T>(w), bias, MutMem<T>(y), g, groups, outChannels, kernel);
    }

    /// <summary>Backward of the spatial-domain kernels; <paramref name="kernel"/> is what <see cref="ConvKernelChoice.Resolve"/>
    /// picked for the forward pass (the FFT forward passes the heuristic's choice).</summary>
    private static void Conv2dBackward<T>(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, ConvGeometry g, int groups, int outChannels,
        ConvAlgorithm kernel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // default(Memory<T>?), not null: a bare null would convert through T[] to an empty, non-null Memory<T>.
        Memory<T>? dxm = dx is null ? default(Memory<T>?) : MutMem<T>(dx), dwm = dw is null ? default(Memory<T>?) : MutMem<T>(dw),
            dbm = db is null ? default(Memory<T>?) : MutMem<T>(db);
        Backend.Cpu.Conv2dBackward<T>(Mem<T>(x), Mem<T>(w), Mem<T>(dy), dxm, dwm, dbm, g, groups, outChannels, kernel);
    }

    internal static ReadOnlyMemory<T> Mem<T>(Tensor t) => new(t.Data<T>(), t.Offset, t.Numel);
    internal static Memory<T> MutMem<T>(Tensor t) => new(t.Data<T>(), t.Offset, t.Numel);

    // Optional tensors: `t is null ? null : Mem(t)` would turn null into an EMPTY memory (null converts through T[]),
    // so the absent case is spelled out as default(...?).
    internal static ReadOnlyMemory<T>? OptMem<T>(Tensor? t) => t is null ? default(ReadOnlyMemory<T>?) : Mem<T>(t);
    internal static Memory<T>? OptMut<T>(Tensor? t) => t is null ? default(Memory<T>?) : MutMem<T>(t);
}
