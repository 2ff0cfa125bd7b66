using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Backends;

/// <summary>Stride-2 convolutions under the direct algorithm (the forward pass on the small-plane engine's row-phase
/// layout where it runs, the rest lowered) against float64 im2col + GEMM: ResNet-20's downsampling layers, odd
/// input sizes, dilation, asymmetric padding, a 1x1 kernel, one image (the output-channel split), a plane too large for
/// the engine, on two threads and on one.</summary>
public class StridedDirectConvTests
{
    /// <summary>n, c, h, w, cout, k, padding top, bottom, left, right, dilation.</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, int, int, int> Shapes => new()
    {
        { 3, 16, 32, 32, 32, 3, 1, 1, 1, 1, 1 },   // ResNet-20 stage 2's first layer: 16x16 outputs
        { 2, 32, 16, 16, 64, 3, 1, 1, 1, 1, 1 },   // stage 3's: 8x8 outputs
        { 1, 16, 32, 32, 32, 3, 1, 1, 1, 1, 1 },   // one image: the workers split the output channels
        { 2, 5, 15, 13, 9, 3, 1, 1, 1, 1, 1 },   // odd sizes: 8x7 outputs, 9 output channels
        { 2, 6, 17, 18, 8, 3, 0, 2, 1, 0, 2 },   // dilation 2, asymmetric padding
        { 4, 8, 16, 16, 12, 1, 0, 0, 0, 0, 1 },   // 1x1 stride 2 (a projection shortcut)
        { 2, 4, 20, 20, 8, 5, 2, 2, 2, 2, 1 },   // 5x5
        { 2, 8, 40, 40, 8, 3, 1, 1, 1, 1, 1 },   // 20x20 outputs: past the engine's 256, lowered
        { 16, 16, 8, 8, 32, 3, 1, 1, 1, 1, 1 },   // ResNet-20 on 8x8 pictures: 4x4 outputs, rows narrower than a vector
        { 16, 32, 4, 4, 64, 3, 1, 1, 1, 1, 1 },   // and 2x2
        { 3, 8, 4, 4, 8, 1, 0, 0, 0, 0, 1 },   // 1x1 on 4x4
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Agrees_with_im2col_float64(int n, int c, int h, int w, int cout, int k, int top, int bottom, int left, int right, int dilation) =>
        Check(n, c, h, w, cout, k, top, bottom, left, right, dilation, serial: false);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void One_thread_agrees_with_im2col_float64(int n, int c, int h, int w, int cout, int k, int top, int bottom, int left, int right, int dilation) =>
        Check(n, c, h, w, cout, k, top, bottom, left, right, dilation, serial: true);

    [Fact]
    public void The_heuristic_takes_the_engine_for_resnet_downsampling_where_it_runs()
    {
        var g = new ConvGeometry(128, 16, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 16, 16);
        var expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? ConvAlgorithm.SmallChannels : ConvAlgorithm.Im2colGemm;
        Assert.Equal(expected, ConvKernelChoice.Resolve(ConvAlgorithm.Direct, g, 1, 32));
        // Stride 3 is not the direct algorithm's.
        var g3 = new ConvGeometry(2, 4, 9, 9, 3, 3, 3, 3, 1, 1, 0, 0, 3, 3);
        Assert.Throws<ArgumentException>(() => ConvKernelChoice.Resolve(ConvAlgorithm.SmallChannels, g3, 1, 4));
    }

    private static void Check(int n, int c, int h, int w, int cout, int k, int top, int bottom, int left, int right, int dilation, bool serial)
    {
        var rng = new Rng(17);
        var x64 = Tensor.Uniform([n, c, h, w], -1, 1, rng, DType.Float64);
        var w64 = Tensor.Uniform([cout, c, k, k], -1, 1, rng, DType.Float64);
        var b64 = Tensor.Uniform([cout], -1, 1, rng, DType.Float64);
        var padding = Padding.Explicit(top, bottom, left, right);
        Tensor[] Run(DType dtype, ConvAlgorithm algorithm)
        {
            // Copies: To(Float64) of a float64 tensor is the tensor itself, and two runs would add into one gradient.
            var x = x64.To(dtype).Clone().RequireGrad();
            var wt = w64.To(dtype).Clone().RequireGrad();
            var b = b64.To(dtype).Clone().RequireGrad();
            var y = F.Conv2d(x, wt, b, stride: 2, padding: padding, dilation: dilation, algorithm: algorithm);
            y.Backward(Tensor.Uniform(y.Shape.ToArray(), -1, 1, new Rng(3), DType.Float64).To(dtype));
            return [y.Detach(), x.Grad!, wt.Grad!, b.Grad!];
        }
        Tensor[] direct;
        using (serial ? CpuThreads.Serial() : default(CpuThreads.SerialScope?))
            direct = Run(DType.Float32, ConvAlgorithm.SmallChannels);
        var direct64 = Run(DType.Float64, ConvAlgorithm.SmallChannels);
        var lowered = Run(DType.Float64, ConvAlgorithm.Im2colGemm);
        string[] names = ["output", "input gradient", "weight gradient", "bias gradient"];
        for (int i = 0; i < 4; i++)
        {
            var e = lowered[i].ToDoubleArray();
            double scale = e.Length == 0 ? 1 : e.Max(Math.Abs) + 1;
            string what = $"{names[i]} ({n}x{c}x{h}x{w} -> {cout}, {k}x{k} stride 2, pad {top},{bottom},{left},{right}, dilation {dilation})";
            Tolerant.Equal(what, direct[i].ToDoubleArray(), e, 2e-5 * scale, 0);
            Tolerant.Equal(what + " float64", direct64[i].ToDoubleArray(), e, 1e-12 * scale, 0);
        }
    }
}
