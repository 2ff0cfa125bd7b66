using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>The notes' im2col view of convolution as public ops (PyTorch's unfold and fold).
/// <see cref="Im2Col"/>: [N, C, H, W] -> [N, C·KH·KW, L], row (c, ki, kj), column l = oh·OW + ow holding
/// x[c, oh·SH - PH + ki·DH, ow·SW - PW + kj·DW] (0 in the padding), L = OH·OW with
/// OH = floor((H + 2PH - DH(KH-1) - 1)/SH) + 1 (likewise OW). A convolution is then W[Cout, C·KH·KW] x col.
/// <see cref="Col2Im"/> is its adjoint: it adds every column entry back to the pixel it came from, so
/// overlapping windows sum (fold(unfold(x)) = x · how many windows cover each pixel).
/// Each is the other's backward; both run the same pointer kernels as <see cref="Conv2d"/>.</summary>
public static partial class F
{
    /// <summary>Unfold: [N, C, H, W] -> [N, C·KH·KW, OH·OW].</summary>
    /// <exception cref="ArgumentException">input is not 4-D or has an empty image.</exception>
    /// <exception cref="ArgumentOutOfRangeException">kernel, stride or dilation below 1, negative padding, or a
    /// (dilated) kernel larger than the padded input.</exception>
    public static Tensor Im2Col(Tensor input, Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? dilation = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        var g = UnfoldGeometry(input.Size(0), input.Size(1), input.Size(2), input.Size(3), kernel, stride ?? 1, padding ?? 0, dilation ?? 1, nameof(input));
        int k = g.C * g.KH * g.KW;
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([g.N, k, g.OutPixels], input.DType);
        if (x.DType == DType.Float32) UnfoldRun<float>(x, y, g, lower: true);
        else UnfoldRun<double>(x, y, g, lower: true);
        return Graph.Record(y, "im2col", [input], dy =>
        {
            var dx = Tensor.Zeros(x.ShapeArray, x.DType);
            if (x.DType == DType.Float32) UnfoldRun<float>(dx, dy.Contiguous(), g, lower: false);
            else UnfoldRun<double>(dx, dy.Contiguous(), g, lower: false);
            return [dx];
        });
    }

    /// <summary>Fold: [N, C·KH·KW, L] -> [N, C, outputSize.H, outputSize.W], summing overlapping windows;
    /// L must equal OH·OW of <see cref="Im2Col"/> on an image of <paramref name="outputSize"/>.</summary>
    /// <exception cref="ArgumentException">input is not 3-D, its dimension 1 is not a multiple of KH·KW, or its
    /// dimension 2 is not the number of windows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">outputSize, kernel, stride or dilation below 1, negative padding,
    /// or a (dilated) kernel larger than the padded output.</exception>
    public static Tensor Col2Im(Tensor input, Size2 outputSize, Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? dilation = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3) throw new ArgumentException($"input must be [N, C·KH·KW, L]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        outputSize.AtLeast(1, nameof(outputSize));
        kernel.AtLeast(1, nameof(kernel));
        int kk = kernel.H * kernel.W;
        if (input.Size(1) % kk != 0)
            throw new ArgumentException($"input dimension 1 ({input.Size(1)}) must be a multiple of KH·KW = {kk}", nameof(input));
        var g = UnfoldGeometry(input.Size(0), input.Size(1) / kk, outputSize.H, outputSize.W, kernel, stride ?? 1, padding ?? 0, dilation ?? 1, nameof(outputSize));
        if (input.Size(2) != g.OutPixels)
            throw new ArgumentException($"input has {input.Size(2)} columns; an output of {outputSize} with this kernel, stride, padding and dilation has {g.OutH}x{g.OutW} = {g.OutPixels} windows", nameof(input));
        var col = input.Detach().Contiguous();
        var y = Tensor.Zeros([g.N, g.C, g.H, g.W], input.DType);
        if (col.DType == DType.Float32) UnfoldRun<float>(y, col, g, lower: false);
        else UnfoldRun<double>(y, col, g, lower: false);
        return Graph.Record(y, "col2im", [input], dy =>
        {
            var dcol = Tensor.Empty(col.ShapeArray, col.DType);
            if (col.DType == DType.Float32) UnfoldRun<float>(dy.Contiguous(), dcol, g, lower: true);
            else UnfoldRun<double>(dy.Contiguous(), dcol, g, lower: true);
            return [dcol];
        });
    }

    /// <summary>Validates the window arguments shared by im2col and col2im; <paramref name="imageName"/> names the
    /// argument that carries the image size (input for im2col, outputSize for col2im).</summary>
    internal static ConvGeometry UnfoldGeometry(int n, int c, int h, int w, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation, string imageName)
    {
        kernel.AtLeast(1, nameof(kernel));
        stride.AtLeast(1, nameof(stride));
        dilation.AtLeast(1, nameof(dilation));
        padding.AtLeast(0, nameof(padding));
        if (h < 1 || w < 1) throw new ArgumentException($"image height and width must be >= 1; got {h}x{w}", imageName);
        int oh = ConvGeometry.OutputSize(h, padding.H, padding.H, kernel.H, stride.H, dilation.H, nameof(kernel));
        int ow = ConvGeometry.OutputSize(w, padding.W, padding.W, kernel.W, stride.W, dilation.W, nameof(kernel));
        ShapeMath.Numel([n, c, kernel.H, kernel.W, oh, ow], "output");
        return new ConvGeometry(n, c, h, w, kernel.H, kernel.W, stride.H, stride.W, dilation.H, dilation.W, padding.H, padding.W, oh, ow);
    }

    /// <summary>lower: image -> col (overwrites col); otherwise col is added into image.</summary>
    private static void UnfoldRun<T>(Tensor image, Tensor col, ConvGeometry g, bool lower) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int plane = g.C * g.H * g.W, block = g.C * g.KH * g.KW * g.OutPixels;
        var im = MutMem<T>(image);
        var cm = MutMem<T>(col);
        CpuThreads.For(g.N, (n0, n1) =>
        {
            for (int n = n0; n < n1; n++)
            {
                if (lower) Backends.Cpu.Im2Col.Lower<T>(im.Span.Slice(n * plane, plane), g.C, g, cm.Span.Slice(n * block, block));
                else Backends.Cpu.Im2Col.Accumulate<T>(cm.Span.Slice(n * block, block), g.C, g, im.Span.Slice(n * plane, plane));
            }
        });
    }
}
