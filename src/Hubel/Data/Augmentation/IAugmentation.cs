using Hubel.Tensors;

namespace Hubel.Data.Augmentation;

/// <summary>A random transformation of training batches, applied on the fly by <see cref="BatchLoader"/> after
/// normalisation. It rewrites the batch in place and draws all its randomness from the generator it is given, so the
/// same seed gives the same augmented batches; the stored dataset is never touched.</summary>
public interface IAugmentation
{
    void Apply(ImageBatch batch, Rng rng);
}

/// <summary>An augmentation that treats each image independently, drawing its parameters image by image in order.</summary>
public abstract class PerImageAugmentation : IAugmentation
{
    public void Apply(ImageBatch batch, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < batch.Count; i++) ApplyToImage(batch.Image(i), batch, rng);
    }

    /// <summary>Transforms one image [Channels, Height, Width] in place.</summary>
    protected abstract void ApplyToImage(Span<float> image, ImageBatch batch, Rng rng);
}
