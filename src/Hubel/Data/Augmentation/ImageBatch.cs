namespace Hubel.Data.Augmentation;

/// <summary>A batch of normalised images [Count, Channels, Height, Width] that augmentations rewrite in place.
/// <see cref="Background"/> is the normalised value of a black pixel per channel, so "fill with zeros" means the
/// same thing it does on raw pixels (the notes' shifted digits, the CIFAR padded crop) whatever the normalisation.</summary>
public sealed class ImageBatch
{
    private float[]? _scratch;

    /// <param name="data">Count × Channels × Height × Width floats; rewritten in place.</param>
    /// <param name="background">one fill value per channel; null means 0 for every channel.</param>
    public ImageBatch(float[] data, int count, int channels, int height, int width, IReadOnlyList<float>? background = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        long per = (long)channels * height * width;
        if (data.Length != per * count)
            throw new ArgumentException($"data has {data.Length} floats but {count} images of {channels}x{height}x{width} need {per * count}", nameof(data));
        if (background is not null && background.Count != channels)
            throw new ArgumentException($"background has {background.Count} values; give one per channel ({channels})", nameof(background));
        Data = data;
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
        Background = background is null ? new float[channels] : [.. background];
    }

    public float[] Data { get; }
    public int Count { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>Fill value per channel for pixels that a shift or crop uncovers.</summary>
    public IReadOnlyList<float> Background { get; }
    public int PixelsPerImage => Channels * Height * Width;
    public int Plane => Height * Width;

    /// <summary>Image <paramref name="index"/> as a writable span.</summary>
    public Span<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Data.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>One image's worth of scratch space, reused across the batch so per-image transforms do not allocate.</summary>
    internal Span<float> Scratch() => _scratch ??= new float[PixelsPerImage];
}
