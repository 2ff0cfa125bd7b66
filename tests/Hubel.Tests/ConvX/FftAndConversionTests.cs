using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.ConvX.ConvXAssert;

namespace Hubel.Tests.ConvX;

/// <summary>FFT convolution against the direct one, FC ↔ conv conversion (E21/E22: a converted classifier's score map is the
/// original network on every window), and the depthwise separable layer's parameter count (E37).</summary>
public class FftAndConversionTests
{
    [Theory]
    [InlineData(2, 3, 17, 13, 4, 11, 7, 0, 1)]
    [InlineData(1, 4, 32, 32, 6, 5, 5, 2, 2)]
    [InlineData(3, 2, 9, 10, 3, 1, 1, 0, 1)]
    [InlineData(2, 6, 12, 12, 6, 3, 3, 1, 6)]
    public void FftEqualsDirectForwardAndBackward(int n, int c, int h, int w, int cout, int kh, int kw, int pad, int groups)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var rng = new Rng(31);
            var x = Rand(rng, n, c, h, w).To(dtype);
            var k = Rand(rng, cout, c / groups, kh, kw).To(dtype);
            var b = Rand(rng, cout).To(dtype);
            var xs = new[] { x.Clone().RequireGrad(), x.Clone().RequireGrad() };
            var ks = new[] { k.Clone().RequireGrad(), k.Clone().RequireGrad() };
            var bs = new[] { b.Clone().RequireGrad(), b.Clone().RequireGrad() };
            var direct = F.Conv2d(xs[0], ks[0], bs[0], padding: pad, groups: groups);
            var fft = F.Conv2dFft(xs[1], ks[1], bs[1], padding: pad, groups: groups);
            double tol = dtype == DType.Float64 ? 1e-12 : 2e-5;
            Close(direct, fft, tol, $"{dtype} output");
            var g = Rand(rng, direct.Shape.ToArray()).To(dtype);
            direct.Backward(g);
            fft.Backward(g);
            Close(xs[0].Grad!, xs[1].Grad!, tol, "input gradient");
            Close(ks[0].Grad!, ks[1].Grad!, tol, "weight gradient");
            Close(bs[0].Grad!, bs[1].Grad!, tol, "bias gradient");
        }
    }

    [Fact]
    public void FftIsSelectableAsAnAlgorithmOfConv2d()
    {
        var rng = new Rng(35);
        var x = Rand(rng, 2, 3, 20, 18);
        var k = Rand(rng, 4, 3, 9, 9);
        var direct = F.Conv2d(x, k, padding: Padding.Same);
        var fft = F.Conv2d(x, k, padding: Padding.Same, algorithm: ConvAlgorithm.Fft);
        Close(direct, fft, 1e-12, "Conv2d(Fft) vs Conv2d(Direct)");
        Assert.Equal("algorithm", Assert.Throws<ArgumentException>(() => F.Conv2d(x, k, stride: 2, algorithm: ConvAlgorithm.Fft)).ParamName);
        var layer = new Conv2d(3, 4, 9, padding: Padding.Same, rng: new Rng(36), algorithm: ConvAlgorithm.Fft);
        var direct2 = F.Conv2d(x, layer.Weight.To(DType.Float64), layer.Bias!.To(DType.Float64), padding: Padding.Same);
        Close(direct2, layer.Forward(x.To(DType.Float32)).To(DType.Float64), 1e-4, "Conv2d layer with the FFT algorithm");
        Assert.Contains("algorithm=Fft", layer.ExtraRepr());
        Assert.Equal("algorithm", Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, stride: 2, algorithm: ConvAlgorithm.Fft)).ParamName);
    }

    [Fact]
    public void LinearToConv2dGivesTheSameScores()
    {
        var fc = new Linear(3 * 4 * 5, 7, rng: new Rng(32));
        var conv = ModelConversion.LinearToConv2d(fc, 3, 4, 5);
        Assert.Equal([7, 3, 4, 5], conv.Weight.Shape.ToArray());
        var x = Tensor.Uniform([2, 3, 4, 5], -1, 1, new Rng(33));
        Close(fc.Forward(F.Flatten(x)), conv.Forward(x).Reshape(2, 7), 1e-6, "fc vs conv");
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => ModelConversion.LinearToConv2d(fc, 3, 4, 4)).ParamName);
        Assert.Equal("h", Assert.Throws<ArgumentOutOfRangeException>(() => ModelConversion.LinearToConv2d(fc, 3, 0, 5)).ParamName);
    }

    /// <summary>A LeNet-like classifier trained on 10 x 10 images, converted and run on 16 x 14: every entry of the 4 x 3 score map
    /// equals the original network on the 10 x 10 window at (2i, 2j) (2 = the pooling stride). The features use no padding:
    /// a padded border would see zeros in the window but real pixels in the larger image.</summary>
    [Fact]
    public void ConvertedClassifierScoresEveryWindow()
    {
        var rng = new Rng(34);
        var model = new Sequential(new Conv2d(2, 4, 3, rng: rng), new ReLU(), new MaxPool2d(2), new Conv2d(4, 3, 3, rng: rng),
            new Tanh(), new Flatten(), new Linear(3 * 2 * 2, 6, rng: rng), new ReLU(), new Linear(6, 5, rng: rng));
        var fcn = ModelConversion.ToFullyConvolutional(model, 2, (10, 10));
        var x = Tensor.Uniform([2, 2, 16, 14], -1, 1, rng);
        var map = fcn.Forward(x);
        Assert.Equal([2, 5, 4, 3], map.Shape.ToArray());
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
            {
                var window = x.Slice(2, 2 * i, 2 * i + 10).Slice(3, 2 * j, 2 * j + 10);
                Close(model.Forward(window), map.Slice(2, i, i + 1).Slice(3, j, j + 1).Reshape(2, 5), 1e-5, $"window ({i}, {j})");
            }
        Assert.Equal([1, 5, 1, 1], fcn.Forward(Tensor.Zeros([1, 2, 10, 10])).Shape.ToArray());
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => ModelConversion.ToFullyConvolutional(new Sequential(new ReLU()), 1, 4)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => ModelConversion.ToFullyConvolutional(model, 2, (12, 12))).ParamName);
    }

    /// <summary>E22 (S2 §2.5): an FC layer as a k x k conv on an input one pixel larger gives a 2 x 2 output = the 4 crops.</summary>
    [Fact]
    public void OnePixelLargerInputGivesFourCrops()
    {
        var fc = new Linear(5 * 5, 1, rng: new Rng(35));
        var conv = ModelConversion.LinearToConv2d(fc, 1, 5, 5);
        var x = Tensor.Uniform([1, 1, 6, 6], -1, 1, new Rng(36));
        var y = conv.Forward(x);
        Assert.Equal([1, 1, 2, 2], y.Shape.ToArray());
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(fc.Forward(F.Flatten(x.Slice(2, i, i + 5).Slice(3, j, j + 5))).Item(), y[0, 0, i, j], 1e-6);
    }

    /// <summary>E37 (S0 §5.13): 3 → 256 channels with 3x3 kernels: 6,912 standard weights vs 3·3·3 + 3·256 = 795 depthwise separable;
    /// the ratio is S2 §3.8's 1/C_O + 1/(W_K H_K).</summary>
    [Fact]
    public void DepthwiseSeparableHasTheNotesParameterCount()
    {
        var dsc = new DepthwiseSeparableConv2d(3, 256, 3, padding: 1, bias: false);
        var standard = new Conv2d(3, 256, 3, padding: 1, bias: false);
        Assert.Equal(795, dsc.ParameterCount());
        Assert.Equal(6912, standard.ParameterCount());
        Assert.Equal(1.0 / 256 + 1.0 / 9, dsc.ParameterCount() / (double)standard.ParameterCount(), 1e-12);
        Assert.Equal(["depthwise.weight", "pointwise.weight"], dsc.NamedParameters().Select(p => p.Name));

        var x = Tensor.Uniform([2, 3, 6, 5], -1, 1, new Rng(37));
        var y = dsc.Forward(x);
        Assert.Equal([2, 256, 6, 5], y.Shape.ToArray());
        // The depthwise step is one single-channel conv per channel.
        var dw = dsc.Depthwise.Forward(x);
        for (int ch = 0; ch < 3; ch++)
            Close(F.Conv2d(x.Slice(1, ch, ch + 1), dsc.Depthwise.Weight.Slice(0, ch, ch + 1), padding: 1), dw.Slice(1, ch, ch + 1), 1e-6, $"channel {ch}");
        Close(F.Conv2d(dw, dsc.Pointwise.Weight), y, 1e-6, "pointwise");
    }
}
