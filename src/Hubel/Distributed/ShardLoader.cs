using Hubel.Data;

namespace Hubel.Distributed;

/// <summary>Turns a <see cref="DistributedSampler"/>'s indices into normalised float32 batches [b, C, H, W] with labels.</summary>
public sealed class ShardLoader
{
    private readonly float _mean, _std;

    public ShardLoader(ImageSet set, DistributedSampler sampler, float mean = Normalization.FashionMnistMean, float std = Normalization.FashionMnistStd)
    {
        Set = set ?? throw new ArgumentNullException(nameof(set));
        Sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        if (sampler.Count != set.Count)
            throw new ArgumentException($"the sampler covers {sampler.Count} examples but the set has {set.Count}", nameof(sampler));
        _mean = mean; _std = std;
    }

    public ImageSet Set { get; }
    public DistributedSampler Sampler { get; }

    /// <summary>This rank's batches for <paramref name="epoch"/>.</summary>
    public IEnumerable<(Tensor Images, int[] Labels)> Epoch(int epoch)
    {
        foreach (var indices in Sampler.LocalBatches(epoch))
        {
            var x = new float[indices.Length * Set.PixelsPerImage];
            Normalization.NormalizeImages(Set, indices, x, _mean, _std);
            var y = Array.ConvertAll(indices, i => (int)Set.Labels[i]);
            yield return (Tensor.Wrap(x, [indices.Length, Set.Channels, Set.Height, Set.Width]), y);
        }
    }
}
