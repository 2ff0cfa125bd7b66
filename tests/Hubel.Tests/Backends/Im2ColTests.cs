using Hubel.Backends.Cpu;
using Hubel.Ops;

namespace Hubel.Tests.Backends;

/// <summary>The im2col lowering of float32 (whose stride-2 rows are copied eight at a time from two loads) against float64
/// (element by element), on shapes where the vector loop runs, stops for the row's tail, and stops short of the end of
/// the image because its second load would read one float past it.</summary>
public class Im2ColTests
{
    /// <summary>n channels, h, w, kernel, stride, padding, dilation.</summary>
    [Theory]
    [InlineData(16, 32, 32, 3, 2, 1, 1)]   // ResNet-20's first downsampling layer: 16 outputs a row
    [InlineData(3, 33, 33, 3, 2, 1, 1)]   // 17 outputs a row: two vectors and a tail
    [InlineData(2, 9, 34, 3, 2, 0, 1)]   // no padding: the last window of the last row ends at the image's last float
    [InlineData(1, 5, 31, 1, 2, 0, 1)]   // 1x1 stride 2: 16 outputs keep the row's last float; in the last row the second
                                          // load of the last vector would read one past the image, so it goes element-wise
    [InlineData(2, 12, 27, 5, 2, 2, 2)]   // dilated 5x5
    [InlineData(4, 16, 16, 2, 3, 0, 1)]   // stride 3 stays element by element
    public void Float32_lowering_equals_float64(int c, int h, int w, int k, int stride, int pad, int dilation)
    {
        int oh = ConvGeometry.OutputSize(h, pad, pad, k, stride, dilation, "k"), ow = ConvGeometry.OutputSize(w, pad, pad, k, stride, dilation, "k");
        var g = new ConvGeometry(1, c, h, w, k, k, stride, stride, dilation, dilation, pad, pad, oh, ow);
        var rng = new Random(5);
        // Exactly the image: nothing after it for the vector loop to read.
        var x32 = new float[c * h * w];
        for (int i = 0; i < x32.Length; i++) x32[i] = (float)(rng.NextDouble() * 2 - 1);
        var x64 = x32.Select(v => (double)v).ToArray();
        int rows = c * k * k, p = oh * ow;
        var col32 = new float[rows * p];
        var col64 = new double[rows * p];
        col32.AsSpan().Fill(float.NaN);
        Im2Col.Lower<float>(x32, c, g, col32);
        Im2Col.Lower<double>(x64, c, g, col64);
        for (int i = 0; i < col64.Length; i++)
            Assert.True(col32[i] == (float)col64[i], $"element {i} (row {i / p}, column {i % p}): {col32[i]} against {col64[i]}");
    }
}
