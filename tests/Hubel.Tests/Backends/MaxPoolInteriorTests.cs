using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Backends;

/// <summary>The argmax-free max pool (vectorised 2x2/2 in float32, winner found again in backward) against a plain
/// reference: first maximum of each window wins, a NaN wins, the gradient goes to the winner only.</summary>
public class MaxPoolInteriorTests
{
    [Theory]
    [InlineData(2, 3, 28, 28, 2, 2, DType.Float32)]   // LeNet pool1: vector path, 14 outputs a row (one vector + tail)
    [InlineData(2, 3, 10, 33, 2, 2, DType.Float32)]   // odd width: last column unused
    [InlineData(2, 3, 28, 28, 2, 2, DType.Float64)]
    [InlineData(3, 5, 10, 10, 2, 2, DType.Float32)]   // LeNet pool2: 5 outputs a row, all through the masked tail
    [InlineData(2, 3, 8, 8, 2, 2, DType.Float32)]     // network3 pool2: 4 a row
    [InlineData(2, 2, 4, 2, 2, 2, DType.Float32)]     // one output a row
    [InlineData(2, 2, 6, 35, 2, 2, DType.Float32)]    // 17 a row: two vectors + a one-window tail, odd width
    [InlineData(1, 1, 2, 30, 2, 2, DType.Float32)]    // 15 a row: vector + seven-window tail
    [InlineData(1, 2, 9, 11, 3, 2, DType.Float32)]    // overlapping 3x3/2: scalar path
    public void Matches_reference_with_ties_and_nan(int n, int c, int h, int w, int k, int s, DType dtype)
    {
        var rng = new Random(3);
        var data = new double[n * c * h * w];
        // Few distinct values, so many windows tie; a few NaNs.
        for (int i = 0; i < data.Length; i++) data[i] = rng.Next(4) - 1.5;
        for (int i = 0; i < 6; i++) data[rng.Next(data.Length)] = double.NaN;
        var x = Tensor.FromArray(data, [n, c, h, w]).To(dtype).RequireGrad();
        var y = F.MaxPool2d(x, k, s);
        int oh = (h - k) / s + 1, ow = (w - k) / s + 1;
        var up = new double[n * c * oh * ow];
        for (int i = 0; i < up.Length; i++) up[i] = rng.NextDouble() + 0.5;
        y.Backward(Tensor.FromArray(up, [n, c, oh, ow]).To(dtype));

        var expectedY = new double[up.Length];
        var expectedDx = new double[data.Length];
        for (int plane = 0; plane < n * c; plane++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int best = -1;
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++)
                        {
                            int idx = plane * h * w + (i * s + a) * w + j * s + b;
                            if (best < 0 || data[idx] > data[best] || (double.IsNaN(data[idx]) && !double.IsNaN(data[best]))) best = idx;
                        }
                    int o = plane * oh * ow + i * ow + j;
                    expectedY[o] = data[best];
                    expectedDx[best] += up[o];
                }
        var actualY = y.ToDoubleArray();
        var actualDx = x.Grad!.ToDoubleArray();
        for (int i = 0; i < expectedY.Length; i++)
            Assert.True(actualY[i].Equals(expectedY[i]), $"y[{i}] = {actualY[i]}, expected {expectedY[i]}");
        for (int i = 0; i < expectedDx.Length; i++)
            Assert.True(Math.Abs(actualDx[i] - expectedDx[i]) < 1e-6, $"dx[{i}] = {actualDx[i]}, expected {expectedDx[i]}");
    }
}
