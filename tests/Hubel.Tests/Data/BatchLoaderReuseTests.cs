using Hubel.Data;
using Hubel.Data.Augmentation;
using Hubel.Tensors;

namespace Hubel.Tests.Data;

/// <summary><see cref="BatchLoader.Epoch"/> with reused buffers: the same batches (pixels, labels, order, augmentation)
/// as fresh ones, written into one array per batch size.</summary>
public sealed class BatchLoaderReuseTests
{
    private static ImageSet Set(int count) => new(
        [.. Enumerable.Range(0, count * 3 * 5 * 5).Select(i => (byte)(i * 53 % 256))],
        [.. Enumerable.Range(0, count).Select(i => (byte)(i % 3))], count, 3, 5, 5, ["a", "b", "c"]);

    private static BatchLoader Loader(ImageSet set, bool augment) =>
        new(set, 8, shuffle: true, new Rng(4), ChannelNormalization.Cifar10) { Augmentation = augment ? AugmentationSpec.Parse("shift:1,flip") : null };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reused_buffers_hold_the_same_batches_as_fresh_ones(bool augment)
    {
        var set = Set(21);   // 8 + 8 + 5: the last batch is shorter
        var fresh = Loader(set, augment).Epoch().Select(b => (b.Images.ToFloatArray(), b.Labels.ToArray(), b.Images.ShapeArray)).ToList();
        var reused = Loader(set, augment).Epoch(reuseBuffers: true).Select(b => (b.Images.ToFloatArray(), b.Labels.ToArray(), b.Images.ShapeArray)).ToList();
        Assert.Equal(3, reused.Count);
        for (int i = 0; i < fresh.Count; i++)
        {
            Assert.Equal(fresh[i].Item1, reused[i].Item1);
            Assert.Equal(fresh[i].Item2, reused[i].Item2);
            Assert.Equal(fresh[i].ShapeArray, reused[i].ShapeArray);
        }
    }

    [Fact]
    public void Full_batches_share_one_array_and_fresh_batches_do_not()
    {
        var set = Set(24);
        var reused = Loader(set, false).Epoch(reuseBuffers: true).Select(b => b.Labels).ToList();
        Assert.Same(reused[0], reused[1]);
        Assert.Same(reused[1], reused[2]);
        var fresh = Loader(set, false).Epoch().Select(b => b.Labels).ToList();
        Assert.NotSame(fresh[0], fresh[1]);
    }

    [Fact]
    public void Large_shuffled_batches_gathered_on_all_workers_hold_each_image_once()
    {
        // 150 images of 28x28 (batches of 64: 50 K floats, gathered by the workers); pixel 0 tells the image apart.
        const int count = 150, pixels = 28 * 28;
        var set = new ImageSet([.. Enumerable.Range(0, count * pixels).Select(i => (byte)(i % pixels == 0 ? i / pixels : (i * 31 + i / pixels) % 256))],
            [.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))], count, 1, 28, 28, [.. Enumerable.Range(0, 10).Select(i => $"c{i}")]);
        var reference = new BatchLoader(set, 1, shuffle: false).Epoch().Select(b => (b.Images.ToFloatArray(), b.Labels[0])).ToArray();
        var byFirstPixel = reference.ToDictionary(r => r.Item1[0]);
        var seen = new HashSet<float>();
        foreach (var (images, labels) in new BatchLoader(set, 64, shuffle: true, new Rng(9)).Epoch(reuseBuffers: true))
        {
            var x = images.ToFloatArray();
            for (int i = 0; i < labels.Length; i++)
            {
                var row = x.AsSpan(i * pixels, pixels).ToArray();
                var (expected, label) = byFirstPixel[row[0]];
                Assert.Equal(expected, row);
                Assert.Equal(label, labels[i]);
                Assert.True(seen.Add(row[0]), "an image came twice in one epoch");
            }
        }
        Assert.Equal(count, seen.Count);
    }
}
