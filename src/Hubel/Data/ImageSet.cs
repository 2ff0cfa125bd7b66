using System.Numerics.Tensors;

namespace Hubel.Data;

/// <summary>A labelled set of 8-bit images stored NCHW, one contiguous byte array.
/// The constructor validates that the lengths agree and every label names a class.</summary>
/// <param name="Pixels">Count × Channels × Height × Width bytes, image after image.</param>
/// <param name="Labels">One class index per image, each below ClassNames.Count.</param>
/// <param name="Count">Number of images (may be 0).</param>
/// <param name="Channels">Channels per image (1 for Fashion-MNIST).</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="ClassNames">Human-readable class names, indexed by label; 1 to 256 of them since labels are bytes.</param>
public sealed record ImageSet(byte[] Pixels, byte[] Labels, int Count, int Channels, int Height, int Width, IReadOnlyList<string> ClassNames)
{
    // Get-only re-declarations so that `with` cannot build an instance that skips the checks below.
    /// <summary>Count × Channels × Height × Width bytes, image after image.</summary>
    public byte[] Pixels { get; } = Pixels;
    /// <summary>One class index per image.</summary>
    public byte[] Labels { get; } = Labels;
    /// <summary>Number of images.</summary>
    public int Count { get; } = Count;
    /// <summary>Channels per image.</summary>
    public int Channels { get; } = Channels;
    /// <summary>Image height in pixels.</summary>
    public int Height { get; } = Height;
    /// <summary>Image width in pixels.</summary>
    public int Width { get; } = Width;
    /// <summary>Class names indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; } = ClassNames;

    // Runs as part of the primary constructor, after the properties above are assigned.
    private readonly int _pixelsPerImage = Validate(Pixels, Labels, Count, Channels, Height, Width, ClassNames);

    /// <summary>Bytes per image: Channels × Height × Width.</summary>
    public int PixelsPerImage => _pixelsPerImage;

    /// <summary>Number of classes (ClassNames.Count).</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * _pixelsPerImage, _pixelsPerImage);
    }

    /// <summary>A new set holding copies of the images at <paramref name="indices"/>, in that order (repeats allowed).</summary>
    public ImageSet Subset(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int per = _pixelsPerImage;
        long total = (long)indices.Length * per;
        if (total > Array.MaxLength)
            throw new ArgumentException($"{indices.Length} images of {per} bytes do not fit in one array", nameof(indices));
        var pixels = new byte[total];
        var labels = new byte[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"indices[{k}] = {i} is outside 0..{Count - 1}");
            Pixels.AsSpan(i * per, per).CopyTo(pixels.AsSpan(k * per, per));
            labels[k] = Labels[i];
        }
        return new ImageSet(pixels, labels, indices.Length, Channels, Height, Width, ClassNames);
    }

    /// <summary>How many images carry each label; index = label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (byte label in Labels) counts[label]++;
        return counts;
    }

    private static int Validate(byte[] pixels, byte[] labels, int count, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (classNames.Count is < 1 or > 256)
            throw new ArgumentException($"need 1 to 256 class names (labels are bytes), got {classNames.Count}", nameof(classNames));

        long per = (long)channels * height * width;
        if (per > Array.MaxLength)
            throw new ArgumentException($"an image of {channels}x{height}x{width} does not fit in one array");
        long expected = per * count; // per and count are both below 2^31, so this cannot overflow a long
        if (pixels.Length != expected)
            throw new ArgumentException(
                $"pixels has {pixels.Length} bytes but {count} images of {channels}x{height}x{width} need {expected}", nameof(pixels));
        if (labels.Length != count)
            throw new ArgumentException($"labels has {labels.Length} entries but there are {count} images", nameof(labels));

        if (count > 0 && TensorPrimitives.Max<byte>(labels) >= classNames.Count)
        {
            int bad = Array.FindIndex(labels, l => l >= classNames.Count);
            throw new ArgumentException(
                $"labels[{bad}] = {labels[bad]} but there are only {classNames.Count} classes (0..{classNames.Count - 1})", nameof(labels));
        }
        return (int)per;
    }
}
