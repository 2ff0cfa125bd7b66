using Hubel.Tensors;

namespace Hubel.Imaging;

/// <summary>Turns activations and filters into pictures: each map or filter is scaled to [0, 1] on its own
/// (so weak maps stay visible) and upscaled with nearest neighbour so small maps are not blurred.</summary>
public static class FeatureMaps
{
    /// <summary>Channel <paramref name="channel"/> of a [1, C, H, W] (or [C, H, W]) activation as a grey [1, H, W] picture.</summary>
    public static Tensor Channel(Tensor activation, int channel)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var a = activation.Rank == 4 ? activation.Reshape(activation.Size(1), activation.Size(2), activation.Size(3)) : activation;
        if (a.Rank != 3) throw new ArgumentException($"expected [1, C, H, W] or [C, H, W]; got {ShapeMath.Format(activation.Shape)}", nameof(activation));
        if ((uint)channel >= (uint)a.Size(0)) throw new ArgumentOutOfRangeException(nameof(channel), $"channel {channel} is outside [0, {a.Size(0) - 1}]");
        int h = a.Size(1), w = a.Size(2);
        var v = a.Slice(0, channel, channel + 1).ToFloatArray();
        Stretch(v);
        return Tensor.FromArray(v, [1, h, w]);
    }

    /// <summary>All channels of an activation as labelled tiles ("ch 0", "ch 1", ...), at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<(string Label, Tensor Image)> Channels(Tensor activation, int limit = 64)
    {
        int c = activation.Rank == 4 ? activation.Size(1) : activation.Size(0);
        return Enumerable.Range(0, Math.Min(c, limit)).Select(k => ($"ch {k}", Channel(activation, k))).ToList();
    }

    /// <summary>The filters of a conv weight [Cout, Cin, KH, KW]: RGB when Cin is 3, else the mean over input channels.</summary>
    public static IReadOnlyList<(string Label, Tensor Image)> Filters(Tensor weight, int limit = 64)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 4) throw new ArgumentException($"expected a conv weight [Cout, Cin, KH, KW]; got {ShapeMath.Format(weight.Shape)}", nameof(weight));
        int cout = weight.Size(0), cin = weight.Size(1), kh = weight.Size(2), kw = weight.Size(3);
        var w = weight.ToFloatArray();
        var tiles = new List<(string, Tensor)>();
        for (int o = 0; o < Math.Min(cout, limit); o++)
        {
            float[] img;
            if (cin == 3) img = w.AsSpan(o * 3 * kh * kw, 3 * kh * kw).ToArray();
            else
            {
                img = new float[kh * kw];
                for (int c = 0; c < cin; c++)
                    for (int i = 0; i < kh * kw; i++) img[i] += w[(o * cin + c) * kh * kw + i] / cin;
            }
            Stretch(img);
            tiles.Add(($"{o}", Tensor.FromArray(img, [cin == 3 ? 3 : 1, kh, kw])));
        }
        return tiles;
    }

    private static void Stretch(float[] v)
    {
        if (v.Length == 0) return;
        float lo = v.Min(), hi = v.Max(), span = hi - lo;
        for (int i = 0; i < v.Length; i++) v[i] = span > 1e-12f ? (v[i] - lo) / span : 0.5f;
    }
}
