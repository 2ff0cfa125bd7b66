using Hubel.Data;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Tests.Training;

/// <summary>Test-time augmentation (the notes' ten-crop rule, and the mirror-image pair).</summary>
public class TestTimeAugmentationTests
{
    private static readonly float[] Black = [-0.5f];

    /// <summary>One 1x3x4 image with distinct values, so every shift and mirror is visible.</summary>
    private static Tensor Image() => Tensor.FromArray(Enumerable.Range(1, 12).Select(v => (float)v).ToArray(), [1, 1, 3, 4]);

    [Theory]
    [InlineData("none", TestTimeViews.None, 1, 0)]
    [InlineData("flip", TestTimeViews.Flip, 2, 0)]
    [InlineData("ten-crop", TestTimeViews.TenCrop, 10, 2)]
    [InlineData(" Ten-Crop:3 ", TestTimeViews.TenCrop, 10, 3)]
    public void Parse_reads_the_cli_spelling(string spec, TestTimeViews views, int count, int padding)
    {
        var tta = TestTimeAugmentation.Parse(spec);
        Assert.Equal(views, tta.Views);
        Assert.Equal(count, tta.ViewCount);
        Assert.Equal(padding, tta.Padding);
        Assert.Equal(count, tta.Shifts.Distinct().Count());
        Assert.Equal(tta.ToString(), TestTimeAugmentation.Parse(tta.ToString()).ToString());
    }

    [Theory]
    [InlineData("mirror", "none, flip, ten-crop")]
    [InlineData("ten-crop:0", "1..64")]
    [InlineData("ten-crop:65", "1..64")]
    [InlineData("ten-crop:-1", "1..64")]
    [InlineData("ten-crop:x", "1..64")]
    public void Parse_rejects_bad_specs_naming_the_range(string spec, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TestTimeAugmentation.Parse(spec));
        Assert.Contains(expected, e.Message);
        Assert.Equal("spec", e.ParamName);
    }

    [Fact]
    public void Constructor_rejects_padding_out_of_range_and_unknown_views()
    {
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new TestTimeAugmentation(TestTimeViews.TenCrop, 0)).ParamName);
        Assert.Equal("views", Assert.Throws<ArgumentOutOfRangeException>(() => new TestTimeAugmentation((TestTimeViews)7)).ParamName);
    }

    [Fact]
    public void Views_are_the_padded_corner_and_centre_windows_and_their_mirror_images()
    {
        var tta = new TestTimeAugmentation(TestTimeViews.TenCrop, padding: 1);
        var image = Image();
        float b = Black[0];
        // Centre window: the image itself; its mirror reverses every row.
        Assert.Equal(image.ToFloatArray(), tta.View(image, Black, 0).ToFloatArray());
        Assert.Equal([4f, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9], tta.View(image, Black, 1).ToFloatArray());
        // Top-left window of the padded image: the content moves down and right by one, black comes in.
        Assert.Equal([b, b, b, b, b, 1, 2, 3, b, 5, 6, 7], tta.View(image, Black, 2).ToFloatArray());
        // Bottom-right window: the content moves up and left by one.
        Assert.Equal([6f, 7, 8, b, 10, 11, 12, b, b, b, b, b], tta.View(image, Black, 8).ToFloatArray());
        // The input is not changed.
        Assert.Equal(Enumerable.Range(1, 12).Select(v => (float)v), image.ToFloatArray());
    }

    [Fact]
    public void Average_is_the_mean_of_the_views_softmax_and_the_model_mode_is_restored()
    {
        var model = new Sequential(new Flatten(), new Linear(12, 3, rng: new Rng(5)));
        model.Train();
        var tta = new TestTimeAugmentation(TestTimeViews.TenCrop, padding: 1);
        var images = F.Cat([Image(), Image() * 0.5], 0);
        var mean = tta.AverageProbabilities(model, images, Black);
        Assert.True(model.IsTraining);

        var expected = new double[6];
        using (Hubel.Autograd.Graph.NoGrad())
            for (int v = 0; v < tta.ViewCount; v++)
            {
                var p = F.Softmax(model.Forward(tta.View(images, Black, v)), 1).ToFloatArray();
                for (int i = 0; i < 6; i++) expected[i] += p[i] / tta.ViewCount;
            }
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], mean[i], 5);
        Assert.Equal(2.0, mean.Sum(), 5);
    }

    [Fact]
    public void Evaluation_with_no_views_equals_plain_evaluation_and_flip_counts_every_image_once()
    {
        var model = new LeNet5(rng: new Rng(3));
        var test = TinyData.Test(64);
        var plain = Trainer.Evaluate(model, new BatchLoader(test, 32, shuffle: false, null));
        var none = new TestTimeAugmentation(TestTimeViews.None).Evaluate(model, new BatchLoader(test, 32, shuffle: false, null));
        Assert.Equal(plain.Accuracy, none.Accuracy);
        Assert.Equal(plain.Loss, none.Loss, 6);

        var flip = new TestTimeAugmentation(TestTimeViews.Flip).Evaluate(model, new BatchLoader(test, 32, shuffle: false, null));
        Assert.Equal(64, flip.Count);
        int total = 0;
        for (int i = 0; i < 10; i++) for (int j = 0; j < 10; j++) total += flip.Confusion[i, j];
        Assert.Equal(64, total);
        Assert.True(double.IsFinite(flip.Loss) && flip.Loss > 0);
    }
}
