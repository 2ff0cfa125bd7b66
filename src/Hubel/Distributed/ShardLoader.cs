using Hubel.Data;
using Hubel.Data.Augmentation;
using Hubel.Tensors;

namespace Hubel.Distributed;

/// <summary>Turns a <see cref="DistributedSampler"/>'s indices into normalised float32 batches [b, C, H, W] with labels,
/// augmented when <see cref="Augmentation"/> is set.</summary>
public sealed class ShardLoader
{
    private readonly ChannelNormalization _normalization;
    private readonly float[] _blackLevel;

    public ShardLoader(ImageSet set, DistributedSampler sampler, float mean = Normalization.FashionMnistMean, float std = Normalization.FashionMnistStd)
        : this(set, sampler, ChannelNormalization.Uniform(mean, std, set?.Channels ?? 1))
    {
    }

    /// <param name="normalization">mean and std per channel (or one pair for all channels).</param>
    public ShardLoader(ImageSet set, DistributedSampler sampler, ChannelNormalization normalization)
    {
        Set = set ?? throw new ArgumentNullException(nameof(set));
        Sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        ArgumentNullException.ThrowIfNull(normalization);
        if (sampler.Count != set.Count)
            throw new ArgumentException($"the sampler covers {sampler.Count} examples but the set has {set.Count}", nameof(sampler));
        _normalization = normalization.ForChannels(set.Channels);
        _blackLevel = _normalization.BlackLevel();
    }

    public ImageSet Set { get; }
    public DistributedSampler Sampler { get; }

    /// <summary>Applied to every image of every batch. Each image gets its own generator, seeded by
    /// (<see cref="AugmentationSeed"/>, epoch, the image's index in the set), so an image is transformed the same way
    /// whichever rank draws it: augmented training does not depend on the number of ranks.</summary>
    public IAugmentation? Augmentation { get; init; }

    public ulong AugmentationSeed { get; init; }

    /// <summary>This rank's batches for <paramref name="epoch"/>.</summary>
    public IEnumerable<(Tensor Images, int[] Labels)> Epoch(int epoch)
    {
        int per = Set.PixelsPerImage, plane = Set.Height * Set.Width;
        foreach (var indices in Sampler.LocalBatches(epoch))
        {
            var x = new float[indices.Length * per];
            for (int k = 0; k < indices.Length; k++)
            {
                var image = Set.Image(indices[k]);
                for (int c = 0; c < Set.Channels; c++)
                    Normalization.Normalize(image.Slice(c * plane, plane), x.AsSpan(k * per + c * plane, plane), _normalization.Mean[c], _normalization.Std[c]);
            }
            if (Augmentation is not null) Augment(x, indices, epoch);
            var y = Array.ConvertAll(indices, i => (int)Set.Labels[i]);
            yield return (Tensor.Wrap(x, [indices.Length, Set.Channels, Set.Height, Set.Width]), y);
        }
    }

    private void Augment(float[] x, int[] indices, int epoch)
    {
        int per = Set.PixelsPerImage;
        var one = new float[per];
        var batch = new ImageBatch(one, 1, Set.Channels, Set.Height, Set.Width, _blackLevel);
        for (int k = 0; k < indices.Length; k++)
        {
            var pixels = x.AsSpan(k * per, per);
            pixels.CopyTo(one);
            Augmentation!.Apply(batch, new Rng(ImageSeed(epoch, indices[k])));
            one.CopyTo(pixels);
        }
    }

    private ulong ImageSeed(int epoch, int index) =>
        unchecked((AugmentationSeed * 0x9E3779B97F4A7C15UL + (ulong)epoch) * 0xBF58476D1CE4E5B9UL + (ulong)index + 1);
}
