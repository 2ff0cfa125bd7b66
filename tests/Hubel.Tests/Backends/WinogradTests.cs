using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Backends;

/// <summary>Winograd F(2x2, 3x3) and F(4x4, 3x3) forced on edge shapes (odd sizes, sizes that are no multiple of the 2x2 tile or of the
/// eight-tile vectors, 1x1 images, padding 0..3, one image, one channel, many channels, groups, rectangular images)
/// against im2col + GEMM: float64 to rounding, float32 (the AVX2 path) to a tolerance scaled by the values.</summary>
public class WinogradTests
{
    private static readonly (int N, int C, int H, int W, int Cout, int Pad, int Groups)[] Shapes =
    [
        (2, 3, 7, 7, 5, 1, 1),       // odd H and W
        (1, 1, 1, 1, 2, 1, 1),       // 1x1 image, one channel, batch 1
        (3, 2, 5, 6, 4, 0, 1),       // padding 0, output 3x4
        (2, 4, 6, 5, 3, 2, 1),       // padding 2
        (1, 2, 5, 4, 3, 3, 1),       // padding 3: the input gradient crops dY
        (1, 1, 9, 9, 1, 1, 1),       // C = Cout = 1
        (2, 70, 6, 7, 33, 1, 1),     // many channels
        (3, 16, 21, 34, 16, 1, 1),   // rows of 11 and 17 F(2x2) tiles: full and partial vectors of eight
        (2, 5, 37, 70, 6, 1, 1),     // rows of 18 F(4x4) tiles (two vectors and a partial one), ragged last tile row
        (2, 3, 33, 32, 4, 0, 1),     // F(4x4): outputs 31x30, a last tile row of 3 and column of 2
        (2, 6, 8, 9, 4, 1, 2),       // groups 2
        (1, 6, 7, 5, 6, 1, 3),       // groups 3, two output channels per group
    ];

    public static TheoryData<ConvAlgorithm, int, int, int, int, int, int, int> Cases()
    {
        var data = new TheoryData<ConvAlgorithm, int, int, int, int, int, int, int>();
        foreach (var algorithm in new[] { ConvAlgorithm.Winograd, ConvAlgorithm.Winograd4x4 })
            foreach (var (n, c, h, w, cout, pad, groups) in Shapes) data.Add(algorithm, n, c, h, w, cout, pad, groups);
        return data;
    }

    /// <summary>Float32 tolerance relative to the largest value: F(4x4)'s transform constants (up to 8 in Aᵀ, 5 in Bᵀ, 1/24 in
    /// G) lose about one more digit than F(2x2)'s.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Agrees_with_im2col(ConvAlgorithm algorithm, int n, int c, int h, int w, int cout, int pad, int groups)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var rng = new Rng(7);
            var x = Tensor.Uniform([n, c, h, w], -1, 1, rng, dtype).RequireGrad();
            var wt = Tensor.Uniform([cout, c / groups, 3, 3], -1, 1, rng, dtype).RequireGrad();
            var b = Tensor.Uniform([cout], -1, 1, rng, dtype).RequireGrad();
            var up = Tensor.Uniform([n, cout, h + 2 * pad - 2, w + 2 * pad - 2], -1, 1, rng, dtype);
            Tensor[] Run(ConvAlgorithm a)
            {
                x.Grad = null; wt.Grad = null; b.Grad = null;
                var y = F.Conv2d(x, wt, b, padding: pad, groups: groups, algorithm: a);
                y.Backward(up);
                return [y.Detach(), x.Grad!, wt.Grad!, b.Grad!];
            }
            var lowered = Run(ConvAlgorithm.Im2colGemm);
            string[] names = ["output", "input gradient", "weight gradient", "bias gradient"];
            // Both thread counts: the tile rows split over two workers, or one worker with parallel GEMMs.
            foreach (bool serial in new[] { false, true })
            {
                Tensor[] winograd;
                using (serial ? CpuThreads.Serial() : default(CpuThreads.SerialScope?)) winograd = Run(algorithm);
                for (int i = 0; i < 4; i++)
                {
                    var e = lowered[i].ToDoubleArray();
                    double scale = e.Length == 0 ? 1 : e.Max(Math.Abs) + 1;
                    double atol = dtype == DType.Float64 ? 1e-12 * scale : (algorithm == ConvAlgorithm.Winograd ? 2e-5 : 1e-4) * scale;
                    Tolerant.Equal($"{names[i]} ({algorithm}, {dtype}, serial {serial}, {n}x{c}x{h}x{w} -> {cout}, pad {pad}, groups {groups})",
                        winograd[i].ToDoubleArray(), e, atol, 0);
                }
            }
        }
    }

    /// <summary>conv_bench's f (VGG, C = K = 64 on 56x56) takes F(4x4) by default.</summary>
    [Fact]
    public void Default_takes_f4x4_on_large_planes()
    {
        var g = new ConvGeometry(32, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 56, 56);
        Assert.Equal(ConvAlgorithm.Winograd4x4, ConvKernelChoice.Resolve(ConvAlgorithm.Direct, g, 1, 64));
    }

    [Fact]
    public void Asymmetric_same_padding_and_no_bias_match_im2col()
    {
        var rng = new Rng(3);
        var x = Tensor.Uniform([2, 3, 6, 9], -1, 1, rng, DType.Float64);
        var w = Tensor.Uniform([4, 3, 3, 3], -1, 1, rng, DType.Float64);
        var pad = Padding.Explicit(0, 2, 1, 0);
        var y = F.Conv2d(x, w, padding: pad, algorithm: ConvAlgorithm.Winograd);
        var e = F.Conv2d(x, w, padding: pad, algorithm: ConvAlgorithm.Im2colGemm);
        Assert.Equal(e.ShapeArray, y.ShapeArray);
        Tolerant.Equal("output", y.ToDoubleArray(), e.ToDoubleArray(), 1e-12, 1e-12);
    }

    [Fact]
    public void Layer_rejects_winograd_for_other_kernels_and_runs_it_for_3x3()
    {
        Assert.Equal("algorithm", Assert.Throws<ArgumentException>(() => new Hubel.Nn.Layers.Conv2d(2, 2, 5, algorithm: ConvAlgorithm.Winograd)).ParamName);
        Assert.Equal("algorithm", Assert.Throws<ArgumentException>(() => new Hubel.Nn.Layers.Conv2d(2, 2, 3, stride: 2, algorithm: ConvAlgorithm.Winograd)).ParamName);
        var layer = new Hubel.Nn.Layers.Conv2d(2, 3, 3, padding: 1, rng: new Rng(4), algorithm: ConvAlgorithm.Winograd);
        var x = Tensor.Uniform([1, 2, 5, 5], -1, 1, new Rng(5));
        var expected = F.Conv2d(x, layer.Weight, layer.Bias, padding: 1, algorithm: ConvAlgorithm.Im2colGemm);
        Tolerant.Equal("layer output", layer.Call(x).ToDoubleArray(), expected.ToDoubleArray(), 2e-5, 1e-5);
    }
}
