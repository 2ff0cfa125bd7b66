using Hubel.Tensors;

namespace Hubel.Data.Augmentation;

/// <summary>Moves each image by a random whole number of pixels, dy and dx each uniform in
/// [-MaxPixels, MaxPixels], filling the uncovered border with black: the on-the-fly version of the notes'
/// expanded training set (Nielsen shifts every digit by one pixel up, down, left and right).</summary>
public sealed class RandomShift : PerImageAugmentation
{
    /// <param name="maxPixels">largest shift along each axis, 1..64.</param>
    public RandomShift(int maxPixels)
    {
        if (maxPixels is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(maxPixels), maxPixels, "maxPixels must be in 1..64");
        MaxPixels = maxPixels;
    }

    public int MaxPixels { get; }

    protected override void ApplyToImage(Span<float> image, ImageBatch batch, Rng rng)
    {
        int span = 2 * MaxPixels + 1;
        int dy = rng.NextInt(span) - MaxPixels;
        int dx = rng.NextInt(span) - MaxPixels;
        Translation.Shift(image, batch, dy, dx);
    }

    public override string ToString() => $"shift:{MaxPixels}";
}
