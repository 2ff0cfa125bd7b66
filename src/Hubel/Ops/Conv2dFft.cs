using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Which algorithm computes a 2-D convolution. Every one gives the same result within float rounding; forcing one
/// that does not fit the shape throws an <see cref="ArgumentException"/> naming <c>algorithm</c>.</summary>
public enum ConvAlgorithm
{
    /// <summary>The default: a heuristic picks the spatial-domain kernel per shape (depthwise kernel for groups = C, the
    /// implicit GEMM for small 5x5-and-up convolutions with 4+ input channels (LeNet-5's and network3's conv2), the direct
    /// kernel for stride 1 with at most 3 input channels, or up to 3x3 with at most 32 channels in and out or planes of at
    /// most 64 outputs (ResNet-20's three stages), plain GEMM for 1x1 on planes of 256+ pixels, Winograd for other 3x3
    /// stride-1 convolutions with 16-128 channels in and out (F(4x4) on outputs of 20x20 and up, else F(2x2)), else
    /// im2col + GEMM).</summary>
    Direct,
    /// <summary>Pointwise products of 2-D FFTs (<see cref="F.Conv2dFft"/>): O(N·Cin·Cout·PQ) plus the transforms instead of
    /// O(N·Cin·Cout·OH·OW·KH·KW), so it pays off for large kernels. Stride 1 and dilation 1 only.</summary>
    Fft,
    /// <summary>im2col + GEMM, blocks of images lowered side by side; fits every shape.</summary>
    Im2colGemm,
    /// <summary>Direct convolution without lowering (groups 1, stride 1): output channels in registers over zero-bordered
    /// planes; fast for few channels and small planes.</summary>
    SmallChannels,
    /// <summary>Per-plane kernel for depthwise convolutions (groups = C > 1).</summary>
    Depthwise,
    /// <summary>1x1 convolution at stride 1 without padding (groups 1) as plain GEMMs on the image planes.</summary>
    Pointwise,
    /// <summary>Winograd's minimal filtering F(2x2, 3x3): 3x3 kernels at stride 1 and dilation 1 (any padding and groups),
    /// 16 multiplies per 2x2 output tile instead of 36; input and weight gradients by the same transforms.</summary>
    Winograd,
    /// <summary>im2col without the matrix: 16 output channels x 6 pixels in registers, input values read through a table of
    /// tap offsets (groups 1, stride 1, dilation 1); for small convolutions with several input channels (LeNet-5's conv2).</summary>
    ImplicitGemm,
    /// <summary>Winograd's F(4x4, 3x3): as <see cref="Winograd"/> with 4x4 output tiles over 6x6 input tiles, 36 multiplies per
    /// 16 outputs instead of F(2x2)'s 64, for the forward and both gradients; its
    /// larger transform constants cost float32 about a decimal digit. Same shapes as <see cref="Winograd"/>.</summary>
    Winograd4x4,
}

public static partial class F
{
    /// <summary>The same result as <see cref="Conv2d"/> at stride 1 and dilation 1 (within float64 rounding of the transforms),
    /// computed with a radix-2 FFT (<c>Backends/Cpu/FftConv.cs</c>). Input [N, C, H, W], weight [Cout, C/groups, KH, KW],
    /// bias [Cout]; output [N, Cout, OH, OW] with OH = H + padTop + padBottom - KH + 1. Backward uses the direct
    /// (im2col + GEMM) kernels: the gradients do not depend on how the forward was computed.</summary>
    /// <exception cref="ArgumentException">as <see cref="Conv2d"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">as <see cref="Conv2d"/> (negative padding, groups, kernel too large).</exception>
    public static Tensor Conv2dFft(Tensor input, Tensor weight, Tensor? bias = null, Padding? padding = null, int groups = 1)
    {
        var (g, outChannels) = Conv2dShape(input, weight, bias, 1, padding ?? Padding.Valid, 1, groups);
        // Padded planes must stay addressable (P·Q·Cin·8 bytes per worker); reject sizes whose power-of-two plane overflows.
        ShapeMath.Numel([2 * (g.OutH + g.KH), 2 * (g.OutW + g.KW), Math.Max(1, g.C)], nameof(input));
        var x = input.Detach().Contiguous();
        var w = weight.Detach().Contiguous();
        var b = bias?.Detach().Contiguous();
        var y = Tensor.Empty([g.N, outChannels, g.OutH, g.OutW], input.DType);
        if (input.DType == DType.Float32) FftForward<float>(x, w, b, y, g, groups, outChannels);
        else FftForward<double>(x, w, b, y, g, groups, outChannels);

        return Graph.Record(y, "conv2d_fft", [input, weight, bias], dy =>
        {
            dy = dy.Contiguous();
            var dx = input.RequiresGrad ? Tensor.ZerosLike(x) : null;
            var dw = weight.RequiresGrad ? Tensor.Empty(w.ShapeArray, w.DType) : null;
            var db = bias is { RequiresGrad: true } ? Tensor.Empty(b!.ShapeArray, b.DType) : null;
            if (input.DType == DType.Float32) Conv2dBackward<float>(x, w, dy, dx, dw, db, g, groups, outChannels, ConvKernelChoice.Resolve(ConvAlgorithm.Direct, g, groups, outChannels));
            else Conv2dBackward<double>(x, w, dy, dx, dw, db, g, groups, outChannels, ConvKernelChoice.Resolve(ConvAlgorithm.Direct, g, groups, outChannels));
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    private static void FftForward<T>(Tensor x, Tensor w, Tensor? b, Tensor y, ConvGeometry g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        FftConv.Forward<T>(Mem<T>(x), Mem<T>(w), b is null ? default(ReadOnlyMemory<T>?) : Mem<T>(b), MutMem<T>(y), g, groups, outChannels);
}
