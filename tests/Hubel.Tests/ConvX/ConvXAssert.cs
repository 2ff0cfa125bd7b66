using Hubel.Tensors;

namespace Hubel.Tests.ConvX;

internal static class ConvXAssert
{
    public static Tensor Rand(Rng rng, params int[] shape) => Tensor.Uniform(shape, -1, 1, rng, DType.Float64);

    /// <summary>|a - b| &lt;= tol·(1 + max|b|) elementwise, shapes equal.</summary>
    public static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        double scale = 1 + (e.Length == 0 ? 0 : e.Max(Math.Abs));
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * scale, $"{what}[{i}]: got {a[i]:G12}, expected {e[i]:G12}");
    }
}
