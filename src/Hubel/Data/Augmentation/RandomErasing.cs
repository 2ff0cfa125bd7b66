using System.Globalization;
using Hubel.Tensors;

namespace Hubel.Data.Augmentation;

/// <summary>Random erasing (Zhong et al., 2017) with torchvision's semantics: with probability <see cref="Probability"/>
/// pick a rectangle whose area is a uniform fraction in <see cref="Scale"/> of the image and whose aspect ratio
/// (height / width) is log-uniform in <see cref="Ratio"/>, try up to ten times to fit it inside the image, and
/// overwrite it in every channel with <see cref="Value"/> (already in normalised units; 0 is the data mean) or, when
/// Value is null, with standard normal noise. If no try fits, the image is left alone.</summary>
public sealed class RandomErasing : PerImageAugmentation
{
    private const int Attempts = 10;

    /// <param name="probability">chance of erasing each image, in [0, 1].</param>
    /// <param name="scale">range of the erased area as a fraction of the image: 0 &lt; min ≤ max ≤ 1.</param>
    /// <param name="ratio">range of the aspect ratio height/width: 0 &lt; min ≤ max, finite.</param>
    /// <param name="value">fill value in normalised units; null fills with N(0, 1) noise.</param>
    public RandomErasing(double probability = 0.5, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null, float? value = 0f)
    {
        var s = scale ?? (0.02, 0.33);
        var r = ratio ?? (0.3, 3.3);
        if (!(probability is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "probability must be in [0, 1]");
        if (!(s.Min > 0 && s.Min <= s.Max && s.Max <= 1))
            throw new ArgumentOutOfRangeException(nameof(scale), s, "scale must satisfy 0 < min <= max <= 1");
        if (!(r.Min > 0 && r.Min <= r.Max && double.IsFinite(r.Max)))
            throw new ArgumentOutOfRangeException(nameof(ratio), r, "ratio must satisfy 0 < min <= max < infinity");
        if (value is float v && !float.IsFinite(v))
            throw new ArgumentOutOfRangeException(nameof(value), v, "value must be finite (or null for random noise)");
        Probability = probability;
        Scale = s;
        Ratio = r;
        Value = value;
    }

    public double Probability { get; }
    public (double Min, double Max) Scale { get; }
    public (double Min, double Max) Ratio { get; }
    public float? Value { get; }

    /// <summary>Draws the rectangle (top, left, height, width) for an image of <paramref name="height"/> × <paramref name="width"/>,
    /// or null when no attempt fits (torchvision then returns the image unchanged).</summary>
    public (int Top, int Left, int Height, int Width)? DrawRectangle(int height, int width, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double area = (double)height * width;
        double logMin = Math.Log(Ratio.Min), logMax = Math.Log(Ratio.Max);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double target = area * (Scale.Min + (Scale.Max - Scale.Min) * rng.NextDouble());
            double aspect = Math.Exp(logMin + (logMax - logMin) * rng.NextDouble());
            int h = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int w = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (!(h < height && w < width) || h < 1 || w < 1) continue;
            int top = rng.NextInt(height - h + 1), left = rng.NextInt(width - w + 1);
            return (top, left, h, w);
        }
        return null;
    }

    protected override void ApplyToImage(Span<float> image, ImageBatch batch, Rng rng)
    {
        if (rng.NextDouble() >= Probability) return;
        if (DrawRectangle(batch.Height, batch.Width, rng) is not (int top, int left, int h, int w)) return;
        int width = batch.Width, plane = batch.Plane;
        for (int c = 0; c < batch.Channels; c++)
            for (int y = top; y < top + h; y++)
            {
                var row = image.Slice(c * plane + y * width + left, w);
                if (Value is float v) row.Fill(v);
                else for (int x = 0; x < row.Length; x++) row[x] = (float)rng.NextNormal();
            }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"erase:{Probability}");
}
