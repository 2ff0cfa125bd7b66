using Hubel.Backends.Cpu;
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
    /// <summary>Shapes: n, c, h, w, cout, kh, kw, padding top, bottom, left, right, dilation.</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, int, int, int, int> Shapes => new()
    {
        { 3, 16, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1 },   // ResNet-like, small
        { 2, 5, 7, 13, 6, 3, 3, 1, 1, 1, 1, 1 },   // 13-wide rows, 6 output channels
        { 4, 6, 14, 14, 16, 5, 5, 0, 0, 0, 0, 1 },   // LeNet conv2: 10-wide output rows
        { 2, 3, 9, 11, 5, 3, 3, 2, 0, 1, 3, 2 },   // dilation 2, asymmetric padding
        { 2, 2, 5, 6, 3, 3, 3, 3, 3, 3, 3, 1 },   // padding 3 > kernel - 1
        { 2, 4, 6, 9, 7, 1, 3, 0, 0, 1, 1, 1 },   // 1x3 kernel
        { 1, 2, 8, 17, 9, 2, 5, 1, 0, 2, 2, 1 },   // 2x5 kernel, even height
        { 1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1 },   // one 3x3 image, one channel
        { 1, 1, 1, 1, 2, 1, 1, 0, 0, 0, 0, 1 },   // 1x1 everything
        { 40, 8, 8, 8, 12, 3, 3, 1, 1, 1, 1, 1 },   // many images: several blocks, two workers
        { 9, 20, 16, 16, 20, 3, 3, 1, 1, 1, 1, 1 },   // 16-wide rows, blocks of a few images
        { 5, 16, 6, 6, 12, 3, 3, 1, 1, 1, 1, 1 },   // 6x6 planes: 36 pixels, a 4-lane last vector; 12 outputs
        { 5, 16, 7, 7, 12, 3, 3, 1, 1, 1, 1, 1 },   // 7x7 planes: the AVX2 engine (16-lane vectors would waste more)
        { 20, 48, 8, 8, 17, 3, 3, 1, 1, 1, 1, 1 },   // ResNet stage 3 in small: 8x8, 17 outputs, two blocks of images
        { 3, 4, 16, 16, 8, 3, 3, 1, 1, 1, 1, 1 },   // 256 pixels: the largest plane of the AVX-512 engine
        { 2, 5, 6, 11, 9, 2, 3, 0, 1, 2, 0, 2 },   // dilated 2x3 kernel, asymmetric padding, 45 pixels
        // One image: the workers split the output-channel blocks (and pack their own weights) instead of the images.
        { 1, 16, 8, 8, 24, 3, 3, 1, 1, 1, 1, 1 },   // ResNet stage 3 at batch 1: three blocks of 8 outputs
        { 1, 6, 16, 16, 20, 3, 3, 1, 1, 1, 1, 1 },   // 16x16 at batch 1, a last block of 4 outputs
        { 1, 8, 32, 32, 13, 3, 3, 1, 1, 1, 1, 1 },   // 32x32 (the AVX2 engine) at batch 1, four blocks, the last of 1
        { 2, 24, 8, 8, 9, 3, 3, 0, 2, 1, 1, 1 },   // two images in one block, asymmetric padding
        { 17, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1 },   // weight gradient in 4 blocks of images (5, 5, 5, 2), partial sums added
    };

    /// <summary>On AVX-512 hardware planes up to 256 pixels run through <see cref="SmallPlaneConvF32"/>; the cases run again
    /// with it turned off (the AVX2 engine) and on one thread.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Agrees_with_im2col_float64(int n, int c, int h, int w, int cout, int kh, int kw, int top, int bottom, int left, int right, int dilation) =>
        Check(n, c, h, w, cout, kh, kw, top, bottom, left, right, dilation, avx2Only: false, serial: false);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Avx2_engine_agrees_with_im2col_float64(int n, int c, int h, int w, int cout, int kh, int kw, int top, int bottom, int left, int right,
        int dilation) => Check(n, c, h, w, cout, kh, kw, top, bottom, left, right, dilation, avx2Only: true, serial: false);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void One_thread_agrees_with_im2col_float64(int n, int c, int h, int w, int cout, int kh, int kw, int top, int bottom, int left, int right,
        int dilation) => Check(n, c, h, w, cout, kh, kw, top, bottom, left, right, dilation, avx2Only: false, serial: true);

    private static void Check(int n, int c, int h, int w, int cout, int kh, int kw, int top, int bottom, int left, int right, int dilation, bool avx2Only,
        bool serial)
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
        Tensor[] direct;
        using (serial ? CpuThreads.Serial() : default(CpuThreads.SerialScope?))
        using (avx2Only ? SmallPlaneConvF32.Off() : default(SmallPlaneConvF32.OffScope?))
            direct = Run(DType.Float32, ConvAlgorithm.SmallChannels);
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

    [Theory]
    [InlineData(128, 23, 16)]   // 6 blocks of at most 23 become 8 of 16
    [InlineData(128, 46, 32)]   // ResNet-20 stage 3 under the 4 MB budget: 3 blocks become 4 of 32
    [InlineData(17, 14, 5)]     // 2 blocks become 4: 5, 5, 5, 2
    [InlineData(5, 10, 5)]      // one block stays one
    [InlineData(3, 1, 1)]       // 3 blocks of one: no more blocks than images
    public void Weight_gradient_blocks_come_in_fours_and_fit_the_budget(int n, int perMax, int expected)
    {
        int per = SmallPlaneConvF32Grad.ImagesPerBlock(n, perMax);
        Assert.Equal(expected, per);
        int blocks = (n + per - 1) / per;
        Assert.True(per <= perMax && (blocks == 1 || blocks % 4 == 0 || blocks == n), $"{blocks} blocks of {per}");
    }

    [Fact]
    public void Weight_gradient_over_several_blocks_is_the_same_on_one_and_two_threads()
    {
        var rng = new Rng(12);
        var x = Tensor.Uniform([17, 64, 16, 16], -1, 1, rng);
        var w = Tensor.Uniform([64, 64, 3, 3], -1, 1, rng);
        var dy = Tensor.Uniform([17, 64, 16, 16], -1, 1, rng);
        float[] Grad()
        {
            var xg = x.Detach(); var wg = w.Detach().RequireGrad();
            F.Conv2d(xg, wg, padding: 1, algorithm: ConvAlgorithm.SmallChannels).Backward(dy);
            return wg.Grad!.ToFloatArray();
        }
        float[] serial;
        using (CpuThreads.Serial()) serial = Grad();
        Assert.Equal(serial, Grad());
    }
}
