using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Backends;

/// <summary>LeNet-sized convolutions large enough to take the float32 fast paths (in-place B, dot-product
/// weight gradient, multi-image blocks, both workers), checked against the float64 generic path.</summary>
public class ConvFastPathTests
{
    [Theory]
    [InlineData(64, 1, 28, 6, 5, 2)]
    [InlineData(64, 6, 14, 16, 5, 0)]
    [InlineData(3, 8, 9, 30, 3, 1)]
    public void Float32_forward_and_backward_agree_with_float64(int n, int c, int hw, int cout, int k, int pad)
    {
        var rng = new Rng(11);
        var x64 = Tensor.Uniform([n, c, hw, hw], -1, 1, rng, DType.Float64).RequireGrad();
        var w64 = Tensor.Uniform([cout, c, k, k], -1, 1, rng, DType.Float64).RequireGrad();
        var b64 = Tensor.Uniform([cout], -1, 1, rng, DType.Float64).RequireGrad();
        var x32 = x64.Detach().To(DType.Float32).RequireGrad();
        var w32 = w64.Detach().To(DType.Float32).RequireGrad();
        var b32 = b64.Detach().To(DType.Float32).RequireGrad();
        var y64 = F.Conv2d(x64, w64, b64, padding: pad);
        var y32 = F.Conv2d(x32, w32, b32, padding: pad);
        var g = Tensor.Uniform(y64.Shape.ToArray(), -1, 1, rng, DType.Float64);
        y64.Backward(g);
        y32.Backward(g.To(DType.Float32));
        AssertClose(y64, y32, "output");
        AssertClose(x64.Grad!, x32.Grad!, "input gradient");
        AssertClose(w64.Grad!, w32.Grad!, "weight gradient");
        AssertClose(b64.Grad!, b32.Grad!, "bias gradient");
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        double scale = e.Max(Math.Abs) + 1;
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 2e-5 * scale, $"{what}[{i}]: float32 {a[i]} vs float64 {e[i]}");
    }
}
