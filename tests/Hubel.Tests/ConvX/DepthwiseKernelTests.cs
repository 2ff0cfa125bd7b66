using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.ConvX.ConvXAssert;

namespace Hubel.Tests.ConvX;

/// <summary>F.Conv2d's direct depthwise kernel (groups = C) against the im2col + GEMM path it replaces, forward and all
/// three gradients, over strides, dilations, asymmetric padding, multipliers and both dtypes. (The registry's conv2d
/// depthwise samples check it against PyTorch as well.)</summary>
public class DepthwiseKernelTests
{
    [Theory]
    [InlineData(2, 3, 7, 6, 1, 3, 3, 1, 1, 0, 0, 0, 0)]
    [InlineData(3, 4, 9, 8, 2, 3, 3, 2, 2, 1, 1, 1, 1)]
    [InlineData(1, 2, 8, 9, 3, 5, 3, 1, 2, 2, 1, 0, 2)]
    [InlineData(2, 5, 6, 11, 1, 2, 4, 2, 1, 1, 2, 1, 0)]
    [InlineData(1, 6, 5, 5, 1, 5, 5, 1, 1, 2, 2, 2, 2)]
    [InlineData(2, 3, 10, 10, 2, 3, 3, 3, 3, 0, 0, 0, 0)]
    [InlineData(4, 16, 28, 28, 1, 3, 3, 1, 1, 1, 1, 1, 1)]   // MobileNet-like planes, channels over two workers
    [InlineData(2, 8, 13, 17, 2, 3, 3, 1, 1, 3, 3, 3, 3)]    // padding past the kernel: the input gradient crops dY
    [InlineData(1, 3, 1, 9, 1, 1, 3, 1, 1, 0, 0, 1, 1)]      // one-row image, 1x3 kernel
    public void DirectKernelMatchesIm2ColGemm(int n, int c, int h, int w, int mult, int kh, int kw, int sh, int sw,
        int top, int bottom, int left, int right)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            foreach (int dilation in new[] { 1, 2 })
            {
                if (dilation * (kh - 1) + 1 > h + top + bottom || dilation * (kw - 1) + 1 > w + left + right) continue;
                var rng = new Rng(41);
                var x = Rand(rng, n, c, h, w).To(dtype);
                var k = Rand(rng, c * mult, 1, kh, kw).To(dtype);
                var b = Rand(rng, c * mult).To(dtype);
                var pad = Padding.Explicit(top, bottom, left, right);
                var (direct, gradsDirect) = Run(x, k, b, (sh, sw), pad, dilation, c, gemm: false, rng: new Rng(42));
                var (gemm, gradsGemm) = Run(x, k, b, (sh, sw), pad, dilation, c, gemm: true, rng: new Rng(42));
                double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
                Close(gemm, direct, tol, $"{dtype} d{dilation} output");
                for (int i = 0; i < 3; i++) Close(gradsGemm[i], gradsDirect[i], tol, $"{dtype} d{dilation} gradient {i}");
            }
    }

    private static (Tensor Y, Tensor[] Grads) Run(Tensor x, Tensor k, Tensor b, Size2 stride, Padding pad, int dilation, int groups, bool gemm, Rng rng)
    {
        var xs = x.Clone().RequireGrad();
        var ks = k.Clone().RequireGrad();
        var bs = b.Clone().RequireGrad();
        Tensor y;
        lock (Switch)
        {
            DepthwiseKernels.Enabled = !gemm;
            try
            {
                y = F.Conv2d(xs, ks, bs, stride, pad, dilation, groups);
                y.Backward(Tensor.Uniform(y.Shape.ToArray(), -1, 1, rng, DType.Float64).To(x.DType));
            }
            finally { DepthwiseKernels.Enabled = true; }
        }
        return (y.Detach(), [xs.Grad!, ks.Grad!, bs.Grad!]);
    }

    private static readonly object Switch = new();
}
