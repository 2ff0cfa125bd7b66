using Hubel.Data;
using Hubel.Data.Augmentation;
using Hubel.Tensors;

namespace Hubel.Tests.Data;

public sealed class BatchLoaderAugmentationTests
{
    private static ImageSet Colour(int count) => new(
        [.. Enumerable.Range(0, count * 3 * 6 * 6).Select(i => (byte)(i * 37 % 256))],
        [.. Enumerable.Range(0, count).Select(i => (byte)(i % 2))], count, 3, 6, 6, ["p", "q"]);

    private static List<float[]> Batches(BatchLoader loader) => [.. loader.Epoch().Select(b => b.Images.ToFloatArray())];

    [Fact]
    public void Same_seed_gives_the_same_augmented_batches_and_the_stored_set_is_untouched()
    {
        var set = Colour(20);
        var before = set.Pixels.ToArray();
        var augment = AugmentationSpec.Parse("shift:1,flip,erase:0.5");
        var a = new BatchLoader(set, 8, shuffle: true, new Rng(7), ChannelNormalization.Cifar10) { Augmentation = augment };
        var b = new BatchLoader(set, 8, shuffle: true, new Rng(7), ChannelNormalization.Cifar10) { Augmentation = augment };
        var first = Batches(a);
        Assert.Equal(first, Batches(b));
        Assert.NotEqual(first, Batches(a));   // the next epoch draws new shuffles and new augmentations
        Assert.Equal(before, set.Pixels);
    }

    [Fact]
    public void Shift_fills_with_black_after_per_channel_normalisation()
    {
        // One all-white 3x6x6 image; any shift uncovers pixels that must read as black in each channel's units.
        var set = new ImageSet(Enumerable.Repeat((byte)255, 3 * 36).ToArray(), [0], 1, 3, 6, 6, ["x"]);
        var norm = ChannelNormalization.Cifar10;
        var loader = new BatchLoader(set, 1, shuffle: false, new Rng(1), norm) { Augmentation = new PaddedRandomCrop(2) };
        var black = norm.BlackLevel();
        for (int epoch = 0; epoch < 20; epoch++)
        {
            var x = Batches(loader)[0];
            for (int c = 0; c < 3; c++)
            {
                float white = (1 - norm.Mean[c]) / norm.Std[c];
                foreach (float v in x.AsSpan(c * 36, 36)) Assert.True(Math.Abs(v - white) < 1e-5 || Math.Abs(v - black[c]) < 1e-5, $"channel {c}: {v}");
            }
        }
    }

    [Fact]
    public void Per_channel_normalisation_and_an_augmentation_without_a_generator_is_refused()
    {
        var set = new ImageSet([0, 255, 51], [0], 1, 3, 1, 1, ["x"]);
        var x = Batches(new BatchLoader(set, 1, shuffle: false, null, new ChannelNormalization([0f, 0.5f, 0.2f], [1f, 0.5f, 0.1f])))[0];
        Assert.Equal(0f, x[0], 1e-6f);
        Assert.Equal(1f, x[1], 1e-6f);
        Assert.Equal(0f, x[2], 1e-5f);
        Assert.Throws<ArgumentException>(() => new BatchLoader(set, 1, shuffle: false) { Augmentation = new HorizontalFlip() });
        Assert.Throws<ArgumentException>(() => new BatchLoader(set, 1, false, null, ChannelNormalization.FashionMnist.ForChannels(2)));
    }
}
