namespace Hubel.Data.Augmentation;

/// <summary>The notes' expanded training set (Nielsen, chapter 6): every image followed by four copies of it moved
/// by one pixel (down, up, right, left, as in his expand_mnist.py), the uncovered row or column filled with black.
/// 50,000 MNIST digits become 250,000. Deterministic, and done once on the stored bytes, so it costs 5× the memory
/// of the set; use it on the training split only.</summary>
public static class ShiftExpansion
{
    /// <summary>How many images each original becomes.</summary>
    public const int Factor = 5;

    /// <summary>(dy, dx) of each copy, in output order after the original; positive dy moves content down.</summary>
    public static IReadOnlyList<(int Dy, int Dx)> Shifts { get; } = [(1, 0), (-1, 0), (0, 1), (0, -1)];

    /// <summary>A new set of 5 × Count images: for each input image, itself and its four one-pixel shifts.</summary>
    /// <exception cref="ArgumentException">the expanded set would not fit in one array.</exception>
    public static ImageSet Expand(ImageSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        int per = set.PixelsPerImage;
        long total = (long)set.Count * Factor * per;
        if (total > Array.MaxLength)
            throw new ArgumentException($"expanding {set.Count} images of {per} bytes fivefold does not fit in one array", nameof(set));
        var pixels = new byte[total];   // zero-initialised: the uncovered border is already black
        var labels = new byte[set.Count * Factor];
        int h = set.Height, w = set.Width, plane = h * w;
        for (int i = 0; i < set.Count; i++)
        {
            var source = set.Image(i);
            int first = i * Factor;
            source.CopyTo(pixels.AsSpan(first * per, per));
            for (int k = 0; k < Shifts.Count; k++)
            {
                var (dy, dx) = Shifts[k];
                var dst = pixels.AsSpan((first + 1 + k) * per, per);
                for (int c = 0; c < set.Channels; c++)
                    for (int y = Math.Max(0, dy); y < Math.Min(h, h + dy); y++)
                    {
                        int x0 = Math.Max(0, dx), x1 = Math.Min(w, w + dx);
                        source.Slice(c * plane + (y - dy) * w + (x0 - dx), x1 - x0).CopyTo(dst.Slice(c * plane + y * w + x0));
                    }
            }
            labels.AsSpan(first, Factor).Fill(set.Labels[i]);
        }
        return new ImageSet(pixels, labels, set.Count * Factor, set.Channels, h, w, set.ClassNames);
    }
}
