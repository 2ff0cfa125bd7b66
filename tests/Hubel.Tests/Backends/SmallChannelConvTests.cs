using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Backends;

/// <summary>The plane-vectorised float32 kernel for one input channel (<see cref="SmallChannelConvF32"/>, reached through
/// <see cref="ConvAlgorithm.SmallChannels"/>) against im2col + GEMM: planes that are and are not whole vectors, channel
/// counts around its blocks of six, odd tap counts, padding, dilation, one and several threads.</summary>
public class SmallChannelConvTests
{
    [Theory]
    [InlineData(64, 1, 28, 28, 6, 5, 5, 2, 1)]    // LeNet-5 conv1: 784 pixels, exactly 98 vectors
    [InlineData(10, 1, 28, 28, 20, 5, 5, 0, 1)]   // network3 conv1
    [InlineData(3, 1, 13, 11, 7, 3, 3, 1, 1)]     // 143 pixels: a partial last vector; 7 channels: a partial block
    [InlineData(2, 1, 9, 17, 1, 4, 2, 0, 1)]      // one output channel, an even tap count, rectangular
    [InlineData(5, 1, 12, 12, 13, 3, 5, 2, 2)]    // dilation 2, a 3x5 kernel
    [InlineData(1, 1, 8, 8, 12, 1, 1, 0, 1)]      // 1x1 kernel, one tap
    public void Agrees_with_im2col(int n, int c, int h, int w, int cout, int kh, int kw, int pad, int dilation)
    {
        var rng = new Rng(11);
        var x = Tensor.Uniform([n, c, h, w], -1, 1, rng).RequireGrad();
        var wt = Tensor.Uniform([cout, c, kh, kw], -1, 1, rng).RequireGrad();
        var b = Tensor.Uniform([cout], -1, 1, rng).RequireGrad();
        Tensor[] Run(ConvAlgorithm a)
        {
            x.Grad = null; wt.Grad = null; b.Grad = null;
            var y = F.Conv2d(x, wt, b, padding: pad, dilation: dilation, algorithm: a);
            y.Backward(Tensor.Uniform(y.Shape.ToArray(), -1, 1, new Rng(9)));
            return [y.Detach(), x.Grad!, wt.Grad!, b.Grad!];
        }
        var lowered = Run(ConvAlgorithm.Im2colGemm);
        string[] names = ["output", "input gradient", "weight gradient", "bias gradient"];
        foreach (bool serial in new[] { true, false })
        {
            Tensor[] got;
            if (serial) { using var _ = CpuThreads.Serial(); got = Run(ConvAlgorithm.SmallChannels); }
            else got = Run(ConvAlgorithm.SmallChannels);
            for (int i = 0; i < 4; i++)
            {
                var e = lowered[i].ToDoubleArray();
                Tolerant.Equal($"{names[i]} (serial {serial})", got[i].ToDoubleArray(), e, 1e-4 * (e.Max(Math.Abs) + 1), 1e-5);
            }
        }
    }

    [Fact]
    public void Fused_relu_inference_matches_conv_then_relu()
    {
        var rng = new Rng(4);
        var x = Tensor.Uniform([2, 1, 28, 28], -1, 1, rng);
        var w = Tensor.Uniform([6, 1, 5, 5], -1, 1, rng);
        var y = F.Relu(F.Conv2d(x, w, padding: 2, algorithm: ConvAlgorithm.SmallChannels));
        var fused = F.Conv2dInference(x, w, null, null, null, relu: true, 1, Padding.Explicit(2), 1, 1);
        Tolerant.Equal("fused", fused.ToDoubleArray(), y.ToDoubleArray(), 1e-5, 1e-5);
    }

    [Theory]
    [InlineData(28, 28, 6, 2)]   // whole blocks of six over whole vector pairs: stored straight from the registers
    [InlineData(13, 11, 7, 1)]   // a partial block and a partial last vector: stored through the stack
    [InlineData(5, 5, 12, 0)]    // 25 pixels: an odd vector count, the last pair repeats its vector
    public void Kernel_relu_is_relu_of_the_plain_output(int h, int w, int cout, int pad)
    {
        var rng = new Rng(5);
        float[] x = Tensor.Uniform([2, 1, h, w], -1, 1, rng).ToFloatArray(), wt = Tensor.Uniform([cout, 1, 3, 3], -1, 1, rng).ToFloatArray();
        float[] b = Tensor.Uniform([cout], -1, 1, rng).ToFloatArray();
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
        var g = new ConvGeometry(2, 1, h, w, 3, 3, 1, 1, 1, 1, pad, pad, oh, ow);
        // Filled with NaN first: every output must be written.
        float[] plain = Enumerable.Repeat(float.NaN, 2 * cout * oh * ow).ToArray(), relu = (float[])plain.Clone();
        SmallChannelConvF32.Forward(x, wt, b, plain, g, cout, relu: false);
        SmallChannelConvF32.Forward(x, wt, b, relu, g, cout, relu: true);
        Assert.Contains(plain, v => v < 0);
        Assert.Equal(plain.Select(v => Math.Max(v, 0f)).ToArray(), relu);
    }
}
