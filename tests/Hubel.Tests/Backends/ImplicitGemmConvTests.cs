using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Backends;

/// <summary>The implicit-GEMM convolution (16 output channels x 6 pixels in registers) against im2col + GEMM in float32, on
/// shapes that hit its edges: output channels not a multiple of 16 (zero-padded block), pixel and tap counts not a multiple
/// of 6 (repeated last pixel or tap), padding (zero-bordered copy), rectangular kernels, one image and many, one worker and
/// two. The registry's gradcheck and PyTorch parity run it forced through ConvAlgorithmTests.</summary>
public class ImplicitGemmConvTests
{
    [Theory]
    [InlineData(64, 6, 14, 14, 16, 5, 5, 0)]    // LeNet-5 conv2
    [InlineData(10, 20, 12, 12, 40, 5, 5, 0)]   // network3 conv2
    [InlineData(3, 5, 7, 7, 17, 3, 3, 1)]       // Cout 17: a second, nearly empty block; 49 pixels; pad 1
    [InlineData(2, 4, 5, 6, 3, 5, 2, 2)]        // 5x2 kernel, pad 2, rectangular image
    [InlineData(1, 7, 9, 4, 33, 2, 3, 0)]       // 42 taps, 8x2 output, three channel blocks
    [InlineData(2, 3, 5, 16, 5, 3, 5, 2)]       // 16 wide with padding: the rows kernel's widest case
    [InlineData(5, 1, 6, 6, 2, 1, 1, 0)]        // one tap, 1x1
    public void Agrees_with_im2col(int n, int c, int h, int w, int cout, int kh, int kw, int pad)
    {
        foreach (bool serial in new[] { true, false })
        foreach (bool rows in new[] { true, false })
        {
            ImplicitGemmInputGrad.Always = rows;
            using var scope = serial ? CpuThreads.Serial() : default(CpuThreads.SerialScope?);
            var rng = new Rng(11);
            var x = Tensor.Uniform([n, c, h, w], -1, 1, rng).RequireGrad();
            var wt = Tensor.Uniform([cout, c, kh, kw], -1, 1, rng).RequireGrad();
            var b = Tensor.Uniform([cout], -1, 1, rng).RequireGrad();
            Tensor[] Run(ConvAlgorithm a)
            {
                x.Grad = null; wt.Grad = null; b.Grad = null;
                var y = F.Conv2d(x, wt, b, padding: pad, algorithm: a);
                y.Backward(Tensor.Uniform(y.Shape.ToArray(), -1, 1, new Rng(9)));
                return [y.Detach(), x.Grad!, wt.Grad!, b.Grad!];
            }
            var fast = Run(ConvAlgorithm.ImplicitGemm);
            var lowered = Run(ConvAlgorithm.Im2colGemm);
            string[] names = ["output", "input gradient", "weight gradient", "bias gradient"];
            for (int i = 0; i < 4; i++)
            {
                var e = lowered[i].ToDoubleArray();
                Tolerant.Equal($"{names[i]} (serial {serial}, rows {rows})", fast[i].ToDoubleArray(), e, 1e-4 * (e.Max(Math.Abs) + 1), 1e-5);
            }
        }
        ImplicitGemmInputGrad.Always = false;
    }

    [Theory]
    [InlineData(2, 3, 6, 5, 4, 3, 3, 1)]
    [InlineData(1, 7, 5, 7, 2, 2, 4, 2)]
    public void Row_input_gradient_passes_gradcheck(int n, int c, int h, int w, int cout, int kh, int kw, int pad)
    {
        var rng = new Rng(8);
        var x = Tensor.Uniform([n, c, h, w], -1, 1, rng, DType.Float64).RequireGrad();
        var wt = Tensor.Uniform([cout, c, kh, kw], -1, 1, rng, DType.Float64).RequireGrad();
        ImplicitGemmInputGrad.Always = true;
        try
        {
            var result = Hubel.Autograd.GradCheck.Check(t => F.Conv2d(t[0], t[1], padding: pad, algorithm: ConvAlgorithm.ImplicitGemm), [x, wt]);
            Assert.True(result.Passed, result.Message);
        }
        finally { ImplicitGemmInputGrad.Always = false; }
    }

    [Fact]
    public void Float64_takes_the_same_tables_with_scalar_arithmetic()
    {
        var rng = new Rng(4);
        var x = Tensor.Uniform([2, 5, 8, 7], -1, 1, rng, DType.Float64).RequireGrad();
        var wt = Tensor.Uniform([18, 5, 3, 4], -1, 1, rng, DType.Float64).RequireGrad();
        var y = F.Conv2d(x, wt, padding: 1, algorithm: ConvAlgorithm.ImplicitGemm);
        var expected = F.Conv2d(x.Detach(), wt.Detach(), padding: 1, algorithm: ConvAlgorithm.Im2colGemm);
        Tolerant.Equal("float64 output", y.ToDoubleArray(), expected.ToDoubleArray(), 1e-12, 1e-12);
    }

    [Theory]
    [InlineData(2, 1)]   // stride 2
    [InlineData(1, 2)]   // grouped
    public void Forcing_it_where_it_does_not_fit_throws(int stride, int groups)
    {
        var x = Tensor.Zeros([1, 4, 6, 6]);
        var w = Tensor.Zeros([4, 4 / groups, 3, 3]);
        var e = Assert.Throws<ArgumentException>(() => F.Conv2d(x, w, stride: stride, groups: groups, algorithm: ConvAlgorithm.ImplicitGemm));
        Assert.Equal("algorithm", e.ParamName);
    }

    [Fact]
    public void The_heuristic_picks_it_for_lenet_and_network3_conv2_only()
    {
        var lenet2 = new ConvGeometry(64, 6, 14, 14, 5, 5, 1, 1, 1, 1, 0, 0, 10, 10);
        var nielsen2 = new ConvGeometry(10, 20, 12, 12, 5, 5, 1, 1, 1, 1, 0, 0, 8, 8);
        var resnet = new ConvGeometry(128, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32, 32);
        Assert.Equal(ImplicitGemmMicro.IsSupported, ImplicitGemmConv.Preferred(lenet2, 1, 16));
        Assert.Equal(ImplicitGemmMicro.IsSupported, ImplicitGemmConv.Preferred(nielsen2, 1, 40));
        Assert.False(ImplicitGemmConv.Preferred(resnet, 1, 16));
    }

    [Theory]
    [InlineData(3, 6, 14, 14, 16, 5, 5, 0)]   // LeNet-5 conv2 in small
    [InlineData(2, 7, 9, 12, 5, 3, 3, 1)]     // 7 channels: a partial block of 6; padding
    public void Input_gradient_kernel_writes_every_element(int n, int c, int h, int w, int cout, int kh, int kw, int pad)
    {
        // The convolution hands this kernel an uncleared buffer (ConvKernelChoice.OverwritesInputGrad): filled with NaN
        // first, every element must come back finite and equal to the lowered gradient.
        var g = new ConvGeometry(n, c, h, w, kh, kw, 1, 1, 1, 1, pad, pad, h + 2 * pad - kh + 1, w + 2 * pad - kw + 1);
        ImplicitGemmInputGrad.Always = true;
        try
        {
            Assert.True(ConvKernelChoice.OverwritesInputGrad(ConvAlgorithm.ImplicitGemm, g, DType.Float32));
            var rng = new Rng(6);
            float[] wt = Tensor.Uniform([cout, c, kh, kw], -1, 1, rng).ToFloatArray(), dy = Tensor.Uniform([n, cout, g.OutH, g.OutW], -1, 1, rng).ToFloatArray();
            var dx = Enumerable.Repeat(float.NaN, n * c * h * w).ToArray();
            ImplicitGemmInputGrad.Run<float>(wt, dy, dx, g, cout);
            var expected = new float[dx.Length];
            var x = new float[dx.Length];
            Hubel.Backends.Backend.Cpu.Conv2dBackward<float>(x, wt, dy, expected, null, null, g, 1, cout, ConvAlgorithm.Im2colGemm);
            Tolerant.Equal("input gradient", dx.Select(v => (double)v).ToArray(), expected.Select(v => (double)v).ToArray(), 1e-4, 1e-5);
        }
        finally { ImplicitGemmInputGrad.Always = false; }
    }
}
