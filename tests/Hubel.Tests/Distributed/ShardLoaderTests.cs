using Hubel.Data;
using Hubel.Data.Augmentation;
using Hubel.Distributed;
using Hubel.Tensors;

namespace Hubel.Tests.Distributed;

public class ShardLoaderTests
{
    private static ImageSet Pictures()
    {
        var rng = new Rng(3);
        var pixels = new byte[24 * 3 * 6 * 6];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)rng.NextInt(256);
        var labels = Enumerable.Range(0, 24).Select(i => (byte)(i % 4)).ToArray();
        return new ImageSet(pixels, labels, 24, 3, 6, 6, ["a", "b", "c", "d"]);
    }

    private static List<(float[] Images, int[] Labels)> Steps(ImageSet set, int world, int rank, IAugmentation? augmentation) =>
        new ShardLoader(set, new DistributedSampler(set.Count, 8, world, rank, seed: 5), ChannelNormalization.Cifar10)
        {
            Augmentation = augmentation, AugmentationSeed = 9,
        }.Epoch(2).Select(b => (b.Images.ToFloatArray(), b.Labels)).ToList();

    [Fact]
    public void Two_ranks_together_see_the_images_of_one_rank_augmented_the_same_way()
    {
        var set = Pictures();
        var augmentation = AugmentationSpec.Parse("shift:2,flip,erase:0.5");
        var one = Steps(set, 1, 0, augmentation);
        var rank0 = Steps(set, 2, 0, augmentation);
        var rank1 = Steps(set, 2, 1, augmentation);
        Assert.Equal(3, one.Count);
        for (int step = 0; step < one.Count; step++)
        {
            Assert.Equal(one[step].Labels, rank0[step].Labels.Concat(rank1[step].Labels).ToArray());
            Assert.Equal(one[step].Images, rank0[step].Images.Concat(rank1[step].Images).ToArray());
        }
        // The augmentation did something (and left the labels alone).
        var plain = Steps(set, 1, 0, null);
        Assert.NotEqual(plain[0].Images, one[0].Images);
        Assert.Equal(plain[0].Labels, one[0].Labels);
    }

    [Fact]
    public void Per_channel_normalisation_is_applied()
    {
        var set = Pictures();
        var batch = Steps(set, 1, 0, null)[0];
        int first = new DistributedSampler(set.Count, 8, 1, 0, seed: 5).EpochOrder(2)[0];
        var image = set.Image(first);
        for (int c = 0; c < 3; c++)
        {
            float expected = (image[c * 36] / 255f - ChannelNormalization.Cifar10.Mean[c]) / ChannelNormalization.Cifar10.Std[c];
            Assert.Equal(expected, batch.Images[c * 36], 5);
        }
    }
}
