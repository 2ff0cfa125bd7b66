using System.Globalization;

namespace Hubel.Data;

/// <summary>Per-channel input normalisation <c>(x/255 - Mean[c]) / Std[c]</c>: colour data (CIFAR, photo folders)
/// has different statistics per channel; grey data has one channel and so one pair.</summary>
public sealed class ChannelNormalization
{
    private readonly float[] _mean, _std;

    /// <param name="mean">one mean per channel, in [0, 1] pixel units; finite.</param>
    /// <param name="std">one standard deviation per channel; positive and finite.</param>
    public ChannelNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count < 1) throw new ArgumentException("need at least one channel", nameof(mean));
        if (std.Count != mean.Count)
            throw new ArgumentException($"std has {std.Count} values but mean has {mean.Count}; give one per channel", nameof(std));
        for (int c = 0; c < mean.Count; c++)
        {
            if (!float.IsFinite(mean[c])) throw new ArgumentOutOfRangeException(nameof(mean), $"mean[{c}] = {mean[c]} must be finite");
            if (!(std[c] > 0) || !float.IsFinite(std[c]))
                throw new ArgumentOutOfRangeException(nameof(std), $"std[{c}] = {std[c]} must be positive and finite");
        }
        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>Mean per channel.</summary>
    public IReadOnlyList<float> Mean => _mean;
    /// <summary>Standard deviation per channel.</summary>
    public IReadOnlyList<float> Std => _std;
    /// <summary>Number of channels.</summary>
    public int Channels => _mean.Length;

    /// <summary>Fashion-MNIST's training statistics (one grey channel).</summary>
    public static ChannelNormalization FashionMnist { get; } = new([Normalization.FashionMnistMean], [Normalization.FashionMnistStd]);

    /// <summary>The standard CIFAR-10 training-set statistics (R, G, B): mean (0.4914, 0.4822, 0.4465), std (0.2470, 0.2435, 0.2616).</summary>
    public static ChannelNormalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);

    /// <summary>The standard CIFAR-100 training-set statistics (R, G, B).</summary>
    public static ChannelNormalization Cifar100 { get; } = new([0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f]);

    /// <summary>The same mean and std for every one of <paramref name="channels"/> channels.</summary>
    public static ChannelNormalization Uniform(float mean, float std, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        return new(Enumerable.Repeat(mean, channels).ToArray(), Enumerable.Repeat(std, channels).ToArray());
    }

    /// <summary>Mean and (population) standard deviation of each channel over every pixel of <paramref name="set"/>,
    /// in [0, 1] units. A channel that never varies gets std 1 so that normalising it cannot divide by zero.</summary>
    public static ChannelNormalization FromData(ImageSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.Count == 0) throw new ArgumentException("cannot compute statistics of an empty set", nameof(set));
        int channels = set.Channels, plane = set.Height * set.Width;
        // Byte histograms make this exact and cheap: one pass, no floating-point accumulation over millions of pixels.
        var histogram = new long[channels, 256];
        var pixels = set.Pixels;
        for (int i = 0; i < set.Count; i++)
            for (int c = 0; c < channels; c++)
            {
                int start = (i * channels + c) * plane;
                for (int p = start; p < start + plane; p++) histogram[c, pixels[p]]++;
            }
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double n = 0, sum = 0, sumSq = 0;
            for (int v = 0; v < 256; v++)
            {
                double x = v / 255.0, k = histogram[c, v];
                n += k; sum += k * x; sumSq += k * x * x;
            }
            double m = sum / n, variance = Math.Max(0, sumSq / n - m * m);
            mean[c] = (float)m;
            std[c] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }
        return new(mean, std);
    }

    /// <summary>This normalisation for <paramref name="channels"/> channels: itself when the counts agree, or a single
    /// pair repeated (a grey statistic used for all channels).</summary>
    /// <exception cref="ArgumentException">the counts differ and this is not a single pair.</exception>
    public ChannelNormalization ForChannels(int channels)
    {
        if (channels == Channels) return this;
        if (Channels == 1) return Uniform(_mean[0], _std[0], channels);
        throw new ArgumentException($"normalisation has {Channels} channels but the images have {channels}", nameof(channels));
    }

    /// <summary>The normalised value of a black (0) pixel per channel: what zero-padding means after normalisation.</summary>
    public float[] BlackLevel() => [.. _mean.Select((m, c) => -m / _std[c])];

    /// <summary>Normalises <paramref name="source"/> (images of <see cref="Channels"/> planes of <paramref name="plane"/> bytes each, back to back).</summary>
    public float[] Apply(ReadOnlySpan<byte> source, int plane)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(plane);
        if (source.Length % ((long)plane * Channels) != 0)
            throw new ArgumentException($"{source.Length} bytes are not whole images of {Channels} planes of {plane} pixels", nameof(source));
        var result = new float[source.Length];
        int images = source.Length / (plane * Channels);
        for (int i = 0; i < images; i++)
            for (int c = 0; c < Channels; c++)
            {
                int start = (i * Channels + c) * plane;
                Normalization.Normalize(source.Slice(start, plane), result.AsSpan(start, plane), _mean[c], _std[c]);
            }
        return result;
    }

    /// <summary>"m0,m1,..." with round-trip precision, for model metadata.</summary>
    public static string Format(IReadOnlyList<float> values) =>
        string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"mean ({string.Join(", ", _mean.Select(m => m.ToString("F4", CultureInfo.InvariantCulture)))}), std ({string.Join(", ", _std.Select(s => s.ToString("F4", CultureInfo.InvariantCulture)))})");
}
