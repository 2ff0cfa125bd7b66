using Hubel.Data.Augmentation;
using Hubel.Tensors;

namespace Hubel.Data;

/// <summary>
/// Serves an <see cref="ImageSet"/> as normalised float32 batches [B, C, H, W] with integer labels.
/// Pixels are normalised once up front; each epoch draws a fresh permutation from the seeded
/// generator, so a seed fixes the data order exactly. An optional <see cref="Augmentation"/> rewrites each training
/// batch after it is copied out, drawing from the same generator, so the stored images never change and a seed (or a
/// checkpoint of the generator) fixes the augmented batches too.
/// </summary>
public sealed class BatchLoader
{
    private readonly float[] _images;
    private readonly int[] _labels;
    private readonly int _perImage;
    private readonly Rng? _rng;
    private float[]? _blackLevel;

    /// <param name="shuffle">reshuffle every epoch (training); false keeps file order (evaluation).</param>
    /// <param name="rng">the generator that orders the data; required when shuffling.</param>
    public BatchLoader(ImageSet set, int batchSize, bool shuffle, Rng? rng = null,
        float mean = Normalization.FashionMnistMean, float std = Normalization.FashionMnistStd, bool dropLast = false)
        : this(set, batchSize, shuffle, rng, ChannelNormalization.Uniform(mean, std, set?.Channels ?? 1), dropLast)
    {
    }

    /// <param name="normalization">mean and std per channel (or one pair for all channels).</param>
    public BatchLoader(ImageSet set, int batchSize, bool shuffle, Rng? rng, ChannelNormalization normalization, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(normalization);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be >= 1; got {batchSize}");
        if (shuffle && rng is null) throw new ArgumentNullException(nameof(rng), "a shuffling loader needs a seeded generator");
        Set = set;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _rng = rng;
        _perImage = set.PixelsPerImage;
        InputNormalization = normalization.ForChannels(set.Channels);
        _images = InputNormalization.Apply(set.Pixels.AsSpan(0, set.Count * _perImage), set.Height * set.Width);
        FiniteData.Require(_images, "normalised images", _perImage);   // a NaN/Inf mean or std would poison every batch
        _labels = Array.ConvertAll(set.Labels, b => (int)b);
    }

    public ImageSet Set { get; }
    /// <summary>The per-channel normalisation applied to every image.</summary>
    public ChannelNormalization InputNormalization { get; }

    /// <summary>Applied to every batch this loader yields (training only; leave it null for evaluation). It needs the
    /// loader's generator, so it can only be set on a loader built with one.</summary>
    public IAugmentation? Augmentation
    {
        get => _augmentation;
        init
        {
            if (value is not null && _rng is null)
                throw new ArgumentException("an augmenting loader needs a seeded generator (pass rng)", nameof(Augmentation));
            _augmentation = value;
        }
    }

    private readonly IAugmentation? _augmentation;
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public int Count => Set.Count;

    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>One epoch of batches. With shuffling, each call draws a new order.</summary>
    /// <param name="reuseBuffers">write every batch into the same two arrays (images and labels; the last, shorter batch
    /// gets its own), so an epoch allocates next to nothing: a batch is then valid only until the next one is requested.
    /// For loops that finish with a batch before they ask for the next (<see cref="Training.Trainer"/> does); a 64-image
    /// batch of 28x28 pictures is 200 KB, most of what a LeNet-5 training step allocated.</param>
    public IEnumerable<(Tensor Images, int[] Labels)> Epoch(bool reuseBuffers = false)
    {
        var order = Shuffle ? _rng!.Permutation(Count) : null;
        int batches = BatchesPerEpoch;
        float[]? images = null;
        int[]? labels = null;
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize, size = Math.Min(BatchSize, Count - start);
            bool reuse = reuseBuffers && images is not null && labels!.Length == size;
            var x = reuse ? images! : new float[size * _perImage];
            var y = reuse ? labels! : new int[size];
            if (reuseBuffers) (images, labels) = (x, y);
            for (int i = 0; i < size; i++) y[i] = _labels[order is null ? start + i : order[start + i]];
            Gather(order, start, size, x);
            _augmentation?.Apply(new ImageBatch(x, size, Set.Channels, Set.Height, Set.Width, _blackLevel ??= InputNormalization.BlackLevel()), _rng!);
            yield return (Tensor.Wrap(x, [size, Set.Channels, Set.Height, Set.Width]), y);
        }
    }

    /// <summary>Images [start, start + size) of the order into x. Shuffled images come from all over a set far larger than
    /// the caches (Fashion-MNIST's 60,000 are 188 MB as floats), so each copy starts with a memory latency; on all workers
    /// the misses overlap (one thread spent 60-90 µs of each 64-image LeNet-5 step here while the helper spun).</summary>
    private void Gather(int[]? order, int start, int size, float[] x)
    {
        float[] images = _images;
        int per = _perImage;
        void Copy(int i0, int i1)
        {
            for (int i = i0; i < i1; i++)
            {
                int idx = order is null ? start + i : order[start + i];
                images.AsSpan(idx * per, per).CopyTo(x.AsSpan(i * per));
            }
        }
        if ((long)size * per >= 2 * GatherFloatsPerWorker)
            Backends.Cpu.CpuThreads.For(size, Copy, minPerWorker: Math.Max(1, GatherFloatsPerWorker / Math.Max(1, per)));
        else Copy(0, size);
    }

    private const int GatherFloatsPerWorker = 1 << 14;
}
