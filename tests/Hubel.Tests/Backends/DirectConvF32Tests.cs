using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Backends;

/// <summary>The float32 direct kernel (SmallChannels forced) on edge shapes against float64 im2col + GEMM: rows that are
/// no whole number of vectors, output channels no multiple of the 4-channel block, taps no multiple of 3, rectangular and
/// dilated kernels, asymmetric padding, padding past the kernel (the input gradient crops dY), images narrower than a
/// vector, batches large enough to split over blocks and workers.</summary>
public class DirectConvF32Tests
{
    [Theory]
    [InlineData(3, 16, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1)]    // ResNet-like, small
    [InlineData(2, 5, 7, 13, 6, 3, 3, 1, 1, 1, 1, 1)]       // 13-wide rows, 6 output channels
    [InlineData(4, 6, 14, 14, 16, 5, 5, 0, 0, 0, 0, 1)]     // LeNet conv2: 10-wide output rows
    [InlineData(2, 3, 9, 11, 5, 3, 3, 2, 0, 1, 3, 2)]       // dilation 2, asymmetric padding
    [InlineData(2, 2, 5, 6, 3, 3, 3, 3, 3, 3, 3, 1)]        // padding 3 > kernel - 1
    [InlineData(2, 4, 6, 9, 7, 1, 3, 0, 0, 1, 1, 1)]        // 1x3 kernel
    [InlineData(1, 2, 8, 17, 9, 2, 5, 1, 0, 2, 2, 1)]       // 2x5 kernel, even height
    [InlineData(1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1)]        // one 3x3 image, one channel
    [InlineData(1, 1, 1, 1, 2, 1, 1, 0, 0, 0, 0, 1)]        // 1x1 everything
    [InlineData(40, 8, 8, 8, 12, 3, 3, 1, 1, 1, 1, 1)]      // many images: several blocks, two workers
    [InlineData(9, 20, 16, 16, 20, 3, 3, 1, 1, 1, 1, 1)]    // 16-wide rows, blocks of a few images
    public void Agrees_with_im2col_float64(int n, int c, int h, int w, int cout, int kh, int kw, int top, int bottom, int left, int right, int dilation)
    {
        var rng = new Rng(11);
        var x64 = Tensor.Uniform([n, c, h, w], -1, 1, rng, DType.Float64);
        var w64 = Tensor.Uniform([cout, c, kh, kw], -1, 1, rng, DType.Float64);
        var b64 = Tensor.Uniform([cout], -1, 1, rng, DType.Float64);
        var padding = Padding.Explicit(top, bottom, left, right);
        Tensor[] Run(DType dtype, ConvAlgorithm algorithm)
        {
            var x = x64.To(dtype).RequireGrad();
            var wt = w64.To(dtype).RequireGrad();
            var b = b64.To(dtype).RequireGrad();
            var y = F.Conv2d(x, wt, b, padding: padding, dilation: dilation, algorithm: algorithm);
            y.Backward(Tensor.Uniform(y.Shape.ToArray(), -1, 1, new Rng(3), DType.Float64).To(dtype));
            return [y.Detach(), x.Grad!, wt.Grad!, b.Grad!];
        }
        var direct = Run(DType.Float32, ConvAlgorithm.SmallChannels);
        var lowered = Run(DType.Float64, ConvAlgorithm.Im2colGemm);
        string[] names = ["output", "input gradient", "weight gradient", "bias gradient"];
        for (int i = 0; i < 4; i++)
        {
            var e = lowered[i].ToDoubleArray();
            double scale = e.Length == 0 ? 1 : e.Max(Math.Abs) + 1;
            Tolerant.Equal($"{names[i]} ({n}x{c}x{h}x{w} -> {cout}, {kh}x{kw}, pad {top},{bottom},{left},{right}, dilation {dilation})",
                direct[i].ToDoubleArray(), e, 2e-5 * scale, 0);
        }
    }
}
