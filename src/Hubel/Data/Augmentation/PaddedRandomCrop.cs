using Hubel.Tensors;

namespace Hubel.Data.Augmentation;

/// <summary>The CIFAR recipe's crop: pad each image with <see cref="Padding"/> black pixels on every side, then cut
/// out a window of the original size at a uniformly random offset (0..2·Padding along each axis).
/// Cutting the window at offset (oy, ox) is the same as shifting the content by (Padding - oy, Padding - ox), so
/// it is computed as that shift without building the padded image.</summary>
public sealed class PaddedRandomCrop : PerImageAugmentation
{
    /// <param name="padding">border added on each side, 1..64.</param>
    public PaddedRandomCrop(int padding)
    {
        if (padding is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be in 1..64");
        Padding = padding;
    }

    public int Padding { get; }

    protected override void ApplyToImage(Span<float> image, ImageBatch batch, Rng rng)
    {
        int offsets = 2 * Padding + 1;
        int oy = rng.NextInt(offsets), ox = rng.NextInt(offsets);
        Translation.Shift(image, batch, Padding - oy, Padding - ox);
    }

    public override string ToString() => $"crop:{Padding}";
}
