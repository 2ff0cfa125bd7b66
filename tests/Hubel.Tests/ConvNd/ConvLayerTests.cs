using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.ConvNd;

/// <summary>The N-d conv layers: PyTorch's parameter shapes and init bounds, padding modes through F.Pad, validation in the constructor.</summary>
public class ConvLayerTests
{
    private static void InBound(Tensor t, double bound) => Assert.All(t.ToDoubleArray(), v => Assert.InRange(Math.Abs(v), 0, bound));

    [Fact]
    public void ParametersHavePyTorchShapesAndInitBounds()
    {
        var c1 = new Conv1d(4, 6, 3, groups: 2, rng: new Rng(1));
        Assert.Equal([6, 2, 3], c1.Weight.ShapeArray);
        InBound(c1.Weight, 1 / Math.Sqrt(6));   // kaiming_uniform(a=√5): √(6/((1+5)·fan_in)) = 1/√fan_in
        InBound(c1.Bias!, 1 / Math.Sqrt(6));
        var c3 = new Conv3d(2, 3, (2, 3, 3), bias: false, rng: new Rng(2));
        Assert.Equal([3, 2, 2, 3, 3], c3.Weight.ShapeArray);
        Assert.Null(c3.Bias);
        var t1 = new ConvTranspose1d(4, 6, 3, groups: 2, rng: new Rng(3));
        Assert.Equal([4, 3, 3], t1.Weight.ShapeArray);   // [Cin, Cout/groups, K]; fan_in = Cout/groups·K = 9
        InBound(t1.Weight, 1 / 3.0);
        Assert.Equal([6], t1.Bias!.ShapeArray);
        InBound(t1.Bias!, 1 / 3.0);
        Assert.Equal([3, 5, 2, 4], new ConvTranspose2d(3, 5, (2, 4)).Weight.ShapeArray);
        Assert.Equal([2, 4, 1, 2, 3], new ConvTranspose3d(2, 8, (1, 2, 3), groups: 2).Weight.ShapeArray);
        Assert.Equal(["weight", "bias"], new ConvTranspose3d(2, 4, 2).NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void ForwardMatchesTheFunctionalOps()
    {
        var x = Tensor.Uniform([2, 4, 5, 6], -1, 1, new Rng(4));
        var t2 = new ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, rng: new Rng(5));
        Assert.Equal([2, 6, 10, 12], t2.Forward(x).ShapeArray);
        Assert.Equal(F.ConvTranspose2d(x, t2.Weight, t2.Bias, 2, 1, 1, 2).ToFloatArray(), t2.Forward(x).ToFloatArray());
        var c1 = new Conv1d(4, 2, 3, padding: Padding.Same, rng: new Rng(6));
        Assert.Equal([2, 2, 6], c1.Forward(x.Reshape(2, 4, 30).Slice(2, 0, 6)).ShapeArray);
    }

    [Theory]
    [InlineData(PaddingMode.Reflect)]
    [InlineData(PaddingMode.Replicate)]
    [InlineData(PaddingMode.Circular)]
    public void PaddingModes_PadWithFPadThenConvolveUnpadded(PaddingMode mode)
    {
        var x = Tensor.Uniform([2, 2, 5, 6], -1, 1, new Rng(7), DType.Float64);
        var c2 = new Conv2d(2, 3, 3, padding: Padding.Explicit(1, 2, 0, 1), paddingMode: mode, rng: new Rng(8));
        var expected = F.Conv2d(F.Pad(x, [0, 1, 1, 2], mode), c2.Weight.To(DType.Float64), c2.Bias!.To(DType.Float64));
        Assert.Equal(expected.ShapeArray, c2.Forward(x.To(DType.Float32)).ShapeArray);
        Assert.All(expected.ToDoubleArray().Zip(c2.Forward(x.To(DType.Float32)).ToDoubleArray()), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5));

        var c1 = new Conv1d(2, 2, 3, padding: Padding.Same, paddingMode: mode, rng: new Rng(9));
        var x1 = Tensor.Uniform([1, 2, 7], -1, 1, new Rng(10));
        Assert.Equal(F.Conv1d(F.Pad(x1, [1, 1], mode), c1.Weight, c1.Bias).ToFloatArray(), c1.Forward(x1).ToFloatArray());

        var c3 = new Conv3d(1, 2, 3, padding: 1, paddingMode: mode, rng: new Rng(11));
        var x3 = Tensor.Uniform([1, 1, 3, 4, 3], -1, 1, new Rng(12));
        Assert.Equal(F.Conv3d(F.Pad(x3, [1, 1, 1, 1, 1, 1], mode), c3.Weight, c3.Bias).ToFloatArray(), c3.Forward(x3).ToFloatArray());
        Assert.Contains($"paddingMode={mode}", c3.ExtraRepr());
    }

    [Fact]
    public void ReflectPaddingNotSmallerThanTheInput_IsRejected()
    {
        var c = new Conv1d(1, 1, 3, padding: 3, paddingMode: PaddingMode.Reflect);
        Assert.Equal("pad", Assert.Throws<ArgumentOutOfRangeException>(() => c.Forward(Tensor.Zeros([1, 1, 3]))).ParamName);
    }

    [Fact]
    public void ConstructorsValidateNamingTheParameter()
    {
        string Name(Action a) => Assert.ThrowsAny<ArgumentException>(a).ParamName!;
        Assert.Equal("stride", Name(() => new Conv1d(1, 1, 3, stride: 0)));
        Assert.Equal("groups", Name(() => new Conv3d(3, 6, 3, groups: 2)));
        Assert.Equal("padding", Name(() => new Conv3d(1, 1, 3, padding: -1)));
        Assert.Equal("padding", Name(() => new Conv1d(1, 1, 3, padding: Padding.Explicit(1, 2))));
        Assert.Equal("paddingMode", Name(() => new Conv2d(1, 1, 3, paddingMode: (PaddingMode)9)));
        Assert.Equal("outputPadding", Name(() => new ConvTranspose2d(1, 1, 3, stride: 2, outputPadding: 2)));
        Assert.Equal("outputPadding", Name(() => new ConvTranspose1d(1, 1, 3, outputPadding: 1)));
        Assert.Equal("padding", Name(() => new ConvTranspose3d(1, 1, 3, padding: (0, -1, 0))));
        Assert.Equal("kernel", Name(() => new ConvTranspose1d(1, 1, 0)));
        Assert.Equal("dilation", Name(() => new ConvTranspose2d(1, 1, 3, dilation: 0)));
    }
}
