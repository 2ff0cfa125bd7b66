namespace Hubel.Data;

/// <summary>Resizes every image of an <see cref="ImageSet"/> with bilinear interpolation (half-pixel centres, as
/// PyTorch's interpolate with align_corners=False), rounding back to bytes. Used when a model needs larger images than
/// the data set has (AlexNet, VGG, GoogLeNet on 28x28 Fashion-MNIST).</summary>
public static class ImageResize
{
    public static ImageSet Bilinear(ImageSet set, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (height is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be in [1, 4096]");
        if (width is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be in [1, 4096]");
        if (height == set.Height && width == set.Width) return set;
        long outPerImage = (long)set.Channels * height * width;
        long total = checked(outPerImage * set.Count);
        if (total > Array.MaxLength) throw new ArgumentException($"{set.Count} images of {set.Channels}x{height}x{width} do not fit in one array", nameof(height));
        var (y0, y1, fy) = Taps(set.Height, height);
        var (x0, x1, fx) = Taps(set.Width, width);
        var pixels = new byte[total];
        var source = set.Pixels;
        int inPlane = set.Height * set.Width, outPlane = height * width;
        Parallel.For(0, set.Count * set.Channels, plane =>
        {
            int src = plane * inPlane, dst = plane * outPlane;
            for (int y = 0; y < height; y++)
            {
                int r0 = src + y0[y] * set.Width, r1 = src + y1[y] * set.Width;
                double wy = fy[y];
                for (int x = 0; x < width; x++)
                {
                    double top = source[r0 + x0[x]] + (source[r0 + x1[x]] - source[r0 + x0[x]]) * fx[x];
                    double bottom = source[r1 + x0[x]] + (source[r1 + x1[x]] - source[r1 + x0[x]]) * fx[x];
                    pixels[dst + y * width + x] = (byte)Math.Clamp(Math.Round(top + (bottom - top) * wy), 0, 255);
                }
            }
        });
        return new ImageSet(pixels, set.Labels, set.Count, set.Channels, height, width, set.ClassNames);
    }

    /// <summary>For each output coordinate: the two source coordinates and the weight of the second.</summary>
    private static (int[] Lo, int[] Hi, double[] Frac) Taps(int inSize, int outSize)
    {
        var lo = new int[outSize];
        var hi = new int[outSize];
        var frac = new double[outSize];
        double scale = (double)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            double s = Math.Max(0, (o + 0.5) * scale - 0.5);
            int i = Math.Min((int)s, inSize - 1);
            lo[o] = i;
            hi[o] = Math.Min(i + 1, inSize - 1);
            frac[o] = s - i;
        }
        return (lo, hi, frac);
    }
}
