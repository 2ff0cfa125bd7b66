using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Pooling;

/// <summary>The vectorised 2x2/2 float32 max pool against the scalar float64 rule on rows whose window count is not a
/// multiple of 8 (the last eight windows are redone, overlapping): values, the winner of ties, NaN windows in the overlap.</summary>
public class MaxPoolRowTailTests
{
    [Theory]
    [InlineData(4, 16)]
    [InlineData(6, 18)]
    [InlineData(28, 28)]   // LeNet-5's pool1: 14 windows a row
    [InlineData(5, 30)]
    [InlineData(4, 31)]    // odd width: the last column is no window's
    [InlineData(2, 10)]    // 5 windows: the masked tail
    public void Float32_matches_the_scalar_rule(int h, int w)
    {
        var r = new Random(h * 100 + w);
        var values = new double[2 * 3 * h * w];
        for (int i = 0; i < values.Length; i++) values[i] = r.Next(4);            // many ties
        values[w - 2] = double.NaN;                                                 // a NaN in the last window of a row
        values[h * w + 2 * w - 5] = double.NaN;                                     // and one where the overlap starts
        var dyValues = new double[2 * 3 * (h / 2) * (w / 2)];
        for (int i = 0; i < dyValues.Length; i++) dyValues[i] = r.NextDouble() + 1;
        var x32 = Tensor.FromArray(values, [2, 3, h, w]).To(DType.Float32).RequireGrad();
        var x64 = Tensor.FromArray(values, [2, 3, h, w]).RequireGrad();
        var y32 = F.MaxPool2d(x32, 2);
        var y64 = F.MaxPool2d(x64, 2);
        Assert.Equal(y64.ToDoubleArray(), y32.ToDoubleArray());
        y32.Backward(Tensor.FromArray(dyValues, y32.Shape.ToArray()).To(DType.Float32));
        y64.Backward(Tensor.FromArray(dyValues, y64.Shape.ToArray()));
        Assert.Equal(x64.Grad!.ToDoubleArray(), x32.Grad!.ToDoubleArray().Select(v => (double)(float)v).ToArray(),
            new ToleranceComparer());
    }

    /// <summary>dy was rounded to float32 on one side: compare at float precision.</summary>
    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => (float)a == (float)b;
        public int GetHashCode(double v) => 0;
    }
}
