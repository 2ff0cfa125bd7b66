using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Norm;

/// <summary>Local response normalisation (AlexNet, notes 004 §AlexNet "使用LRN") against torch.nn.functional.local_response_norm
/// (tools/golden/gen_norm.py) and against the formula written out by hand.</summary>
public class LrnTests
{
    [Theory]
    [InlineData("alexnet")]
    [InlineData("alexnet_strong_alpha")]
    public void MatchesPyTorch(string name)
    {
        var c = BatchNormTests.Golden().GetProperty("lrn").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var x = Tensor.FromArray(BatchNormTests.D(c.GetProperty("x")), shape);
        var layer = new LocalResponseNorm(c.GetProperty("size").GetInt32(), c.GetProperty("alpha").GetDouble(), c.GetProperty("beta").GetDouble(), c.GetProperty("k").GetDouble());
        var expected = BatchNormTests.D(c.GetProperty("y"));
        Tolerant.Equal(name, layer.Forward(x).ToDoubleArray(), expected, 1e-12, 1e-10);
        Tolerant.Equal(name + " float32", layer.Forward(x.To(DType.Float32)).ToDoubleArray(), expected, 1e-5, 1e-5);
        if (name == "alexnet") Assert.Contains(expected.Zip(x.ToDoubleArray()), p => Math.Abs(p.First / p.Second - Math.Pow(2, -0.75)) > 1e-3);
    }

    [Fact]
    public void HandComputedValue()
    {
        // one pixel, channels 1..4, size 3, α = 3, β = 1, k = 1: d_c = 1 + (3/3)·Σ x_j² over j in [c-1, c+1]
        var x = Tensor.FromArray([1.0, 2, 3, 4], [1, 4, 1, 1]);
        var y = F.LocalResponseNorm(x, 3, alpha: 3, beta: 1, k: 1).ToDoubleArray();
        double[] expected = [1.0 / (1 + 1 + 4), 2.0 / (1 + 1 + 4 + 9), 3.0 / (1 + 4 + 9 + 16), 4.0 / (1 + 9 + 16)];
        Tolerant.Equal("lrn by hand", y, expected, 1e-15, 1e-14);
    }
}
