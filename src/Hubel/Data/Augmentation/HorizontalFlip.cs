using Hubel.Tensors;

namespace Hubel.Data.Augmentation;

/// <summary>Mirrors each image left to right with probability <see cref="Probability"/>.</summary>
public sealed class HorizontalFlip : PerImageAugmentation
{
    /// <param name="probability">chance of flipping each image, in [0, 1].</param>
    public HorizontalFlip(double probability = 0.5)
    {
        if (!(probability is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "probability must be in [0, 1]");
        Probability = probability;
    }

    public double Probability { get; }

    protected override void ApplyToImage(Span<float> image, ImageBatch batch, Rng rng)
    {
        // Always draw, so that the stream position does not depend on earlier outcomes.
        if (rng.NextDouble() >= Probability) return;
        Mirror(image, batch);
    }

    /// <summary>Mirrors one image of <paramref name="batch"/> left to right, every row of every channel.</summary>
    internal static void Mirror(Span<float> image, ImageBatch batch)
    {
        int w = batch.Width;
        for (int row = 0; row < batch.Channels * batch.Height; row++) image.Slice(row * w, w).Reverse();
    }

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"flip:{Probability}");
}
