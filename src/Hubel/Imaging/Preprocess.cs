using Hubel.Tensors;

namespace Hubel.Imaging;

/// <summary>Turns any picture into what a model expects: its channel count (colour to grey by luminance,
/// grey to colour by repetition), its size (bilinear resampling, area-averaged when shrinking a lot) and its
/// normalisation (x - mean) / std.</summary>
public static class Preprocess
{
    /// <param name="image">[C, H, W] in [0, 1].</param>
    /// <param name="invert">1 - x first: for models trained on light-on-dark images (Fashion-MNIST) given a dark-on-light photo.</param>
    public static Tensor ForModel(Tensor image, int channels, int height, int width, float mean, float std, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank != 3) throw new ArgumentException($"image must be [C, H, W]; got {ShapeMath.Format(image.Shape)}", nameof(image));
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), $"models take 1 or 3 channels; got {channels}");
        if (!(std > 0)) throw new ArgumentOutOfRangeException(nameof(std), $"std must be > 0; got {std}");
        var planes = ToChannels(image, channels);
        var resized = Resize(planes, image.Size(1), image.Size(2), height, width);
        for (int i = 0; i < resized.Length; i++)
        {
            float v = invert ? 1 - resized[i] : resized[i];
            resized[i] = (v - mean) / std;
        }
        return Tensor.FromArray(resized, [1, channels, height, width]);
    }

    /// <summary>As above with one mean and std per channel (models trained on CIFAR or colour image folders).</summary>
    public static Tensor ForModel(Tensor image, int channels, int height, int width, IReadOnlyList<float> mean, IReadOnlyList<float> std, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count != channels || std.Count != channels)
            throw new ArgumentException($"need one mean and one std per channel ({channels}); got {mean.Count} and {std.Count}", nameof(mean));
        for (int c = 0; c < channels; c++)
            if (!(std[c] > 0)) throw new ArgumentOutOfRangeException(nameof(std), $"std[{c}] must be > 0; got {std[c]}");
        var unit = ForModel(image, channels, height, width, 0f, 1f, invert);
        var v = unit.ToFloatArray();
        int plane = height * width;
        for (int c = 0; c < channels; c++)
            for (int i = c * plane; i < (c + 1) * plane; i++) v[i] = (v[i] - mean[c]) / std[c];
        return Tensor.FromArray(v, [1, channels, height, width]);
    }

    private static float[][] ToChannels(Tensor image, int channels)
    {
        int c = image.Size(0), hw = image.Size(1) * image.Size(2);
        var v = image.ToFloatArray();
        float[] Plane(int k) => v.AsSpan(k * hw, hw).ToArray();
        if (c == channels) return Enumerable.Range(0, c).Select(Plane).ToArray();
        if (channels == 1)
        {
            var grey = new float[hw];
            for (int i = 0; i < hw; i++) grey[i] = c >= 3 ? 0.299f * v[i] + 0.587f * v[hw + i] + 0.114f * v[2 * hw + i] : v[i];
            return [grey];
        }
        var p = Plane(0);
        return [p, (float[])p.Clone(), (float[])p.Clone()];
    }

    /// <summary>Bilinear resize of each plane; when shrinking by more than 2x it first box-averages, so small
    /// targets (28x28) see the whole picture rather than a sparse sample of it.</summary>
    private static float[] Resize(float[][] planes, int h, int w, int outH, int outW)
    {
        var result = new float[planes.Length * outH * outW];
        for (int c = 0; c < planes.Length; c++)
        {
            var src = planes[c];
            int sh = h, sw = w;
            while (sh >= 2 * outH && sw >= 2 * outW) (src, sh, sw) = Halve(src, sh, sw);
            for (int y = 0; y < outH; y++)
            {
                double fy = Math.Clamp((y + 0.5) * sh / outH - 0.5, 0, sh - 1);
                int y0 = (int)fy, y1 = Math.Min(y0 + 1, sh - 1);
                double ty = fy - y0;
                for (int x = 0; x < outW; x++)
                {
                    double fx = Math.Clamp((x + 0.5) * sw / outW - 0.5, 0, sw - 1);
                    int x0 = (int)fx, x1 = Math.Min(x0 + 1, sw - 1);
                    double tx = fx - x0;
                    double top = src[y0 * sw + x0] * (1 - tx) + src[y0 * sw + x1] * tx;
                    double bottom = src[y1 * sw + x0] * (1 - tx) + src[y1 * sw + x1] * tx;
                    result[c * outH * outW + y * outW + x] = (float)(top * (1 - ty) + bottom * ty);
                }
            }
        }
        return result;
    }

    private static (float[], int, int) Halve(float[] src, int h, int w)
    {
        int nh = h / 2, nw = w / 2;
        var dst = new float[nh * nw];
        for (int y = 0; y < nh; y++)
            for (int x = 0; x < nw; x++)
                dst[y * nw + x] = 0.25f * (src[2 * y * w + 2 * x] + src[2 * y * w + 2 * x + 1] + src[(2 * y + 1) * w + 2 * x] + src[(2 * y + 1) * w + 2 * x + 1]);
        return (dst, nh, nw);
    }
}
