using Hubel.Autograd;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Ops;

/// <summary>The option-A shortcut op against the two slices and the pad it replaces: values and gradients, odd sizes,
/// strides 1 to 3, with and without added channels, and a batch big enough to split over workers.</summary>
public class SubsamplePadTests
{
    public static TheoryData<int[], int, int, int> Cases() => new()
    {
        { [2, 3, 8, 8], 2, 1, 2 },
        { [2, 3, 7, 5], 2, 0, 3 },
        { [1, 2, 7, 7], 3, 2, 0 },
        { [3, 2, 4, 6], 1, 1, 1 },
        { [64, 16, 32, 32], 2, 8, 8 },   // ResNet-20's first downsampling block
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_slices_then_pad(int[] shape, int stride, int before, int after)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var rng = new Rng(31);
            var x = Tensor.Normal(shape, 0, 1, rng, dtype);
            x.RequiresGrad = true;
            var fused = F.SubsamplePadChannels(x, stride, before, after);
            var upstream = Tensor.Normal(fused.ShapeArray, 0, 1, rng, dtype);
            fused.Backward(upstream);
            var fusedGrad = x.Grad!.ToDoubleArray();
            x.Grad = null;
            var sliced = x.Slice(2, 0, shape[2], stride).Slice(3, 0, shape[3], stride);
            var plain = F.Pad(sliced, [0, 0, 0, 0, before, after]);
            Assert.Equal(plain.ShapeArray, fused.ShapeArray);
            Assert.Equal(plain.ToDoubleArray(), fused.ToDoubleArray());
            plain.Backward(upstream);
            Assert.Equal(x.Grad!.ToDoubleArray(), fusedGrad);
        }
    }

    [Fact]
    public void Passes_gradcheck()
    {
        var x = Tensor.Normal([2, 2, 5, 4], 0, 1, new Rng(2), DType.Float64);
        x.RequiresGrad = true;
        var result = GradCheck.Check(i => F.SubsamplePadChannels(i[0], 2, 1, 2), [x]);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        var x = Tensor.Zeros([1, 2, 4, 4]);
        Assert.Throws<ArgumentException>(() => F.SubsamplePadChannels(Tensor.Zeros([2, 4, 4]), 2, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.SubsamplePadChannels(x, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.SubsamplePadChannels(x, 2, -1, 0));
    }
}
