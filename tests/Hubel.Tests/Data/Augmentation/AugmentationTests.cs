using Hubel.Data.Augmentation;
using Hubel.Tensors;

namespace Hubel.Tests.Data.Augmentation;

public sealed class AugmentationTests
{
    /// <summary>One 1-channel 3x3 image holding 1..9, row by row.</summary>
    private static ImageBatch Digits(float background = 0) =>
        new([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3, [background]);

    [Fact]
    public void Shift_moves_content_and_fills_the_uncovered_border_with_the_background()
    {
        var b = Digits(background: -1);
        Translation.Shift(b.Image(0), b, dy: 1, dx: 0);   // down by one
        Assert.Equal([-1, -1, -1, 1, 2, 3, 4, 5, 6], b.Data);
        b = Digits(background: -1);
        Translation.Shift(b.Image(0), b, dy: 0, dx: -1);  // left by one
        Assert.Equal([2, 3, -1, 5, 6, -1, 8, 9, -1], b.Data);
        b = Digits();
        Translation.Shift(b.Image(0), b, dy: -1, dx: 1);  // up and right
        Assert.Equal([0, 4, 5, 0, 7, 8, 0, 0, 0], b.Data);
        b = Digits(background: 7);
        Translation.Shift(b.Image(0), b, dy: 3, dx: 0);   // off the image entirely
        Assert.Equal(Enumerable.Repeat(7f, 9), b.Data);
    }

    [Fact]
    public void RandomShift_by_one_is_one_of_the_nine_exact_shifts_and_uses_each_channels_background()
    {
        var seen = new HashSet<(int, int)>();
        var rng = new Rng(3);
        for (int trial = 0; trial < 200; trial++)
        {
            // Two channels, 5x5, with a single bright pixel in the centre of each; backgrounds differ per channel.
            var data = new float[50];
            data[12] = 100; data[25 + 12] = 200;
            var batch = new ImageBatch(data, 1, 2, 5, 5, [-0.5f, -2f]);
            new RandomShift(1).Apply(batch, rng);
            int at = Array.IndexOf(data, 100f), at2 = Array.IndexOf(data, 200f) - 25;
            Assert.Equal(at, at2);   // both channels move together
            int dy = at / 5 - 2, dx = at % 5 - 2;
            Assert.InRange(dy, -1, 1);
            Assert.InRange(dx, -1, 1);
            seen.Add((dy, dx));
            // The row and column that the shift uncovered hold that channel's background.
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 5; x++)
                {
                    bool uncovered = (dy == 1 && y == 0) || (dy == -1 && y == 4) || (dx == 1 && x == 0) || (dx == -1 && x == 4);
                    if (uncovered) { Assert.Equal(-0.5f, data[y * 5 + x]); Assert.Equal(-2f, data[25 + y * 5 + x]); }
                }
        }
        Assert.Equal(9, seen.Count);
    }

    [Fact]
    public void Flip_mirrors_every_row_of_every_channel_and_probability_zero_or_one_is_exact()
    {
        var batch = new ImageBatch([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60], 1, 2, 2, 3);
        new HorizontalFlip(1).Apply(batch, new Rng(0));
        Assert.Equal([3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40], batch.Data);
        new HorizontalFlip(0).Apply(batch, new Rng(0));
        Assert.Equal([3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40], batch.Data);
    }

    [Fact]
    public void Flip_half_the_time_over_many_images()
    {
        const int n = 4000;
        var data = new float[n * 2];
        for (int i = 0; i < n; i++) data[2 * i] = 1;   // [1, 0] per 1x2 image; flipped it reads [0, 1]
        new HorizontalFlip(0.5).Apply(new ImageBatch(data, n, 1, 1, 2), new Rng(11));
        int flipped = Enumerable.Range(0, n).Count(i => data[2 * i] == 0 && data[2 * i + 1] == 1);
        Assert.InRange(flipped, n / 2 - 150, n / 2 + 150);   // ±4.7 standard deviations
    }

    [Fact]
    public void Crop_offsets_stay_within_the_padding_and_cover_all_of_it()
    {
        const int pad = 2, side = 8;
        var offsets = new int[2 * pad + 1, 2 * pad + 1];
        var rng = new Rng(5);
        var crop = new PaddedRandomCrop(pad);
        for (int trial = 0; trial < 2000; trial++)
        {
            var data = new float[side * side];
            data[3 * side + 4] = 1;   // marker at (3, 4)
            crop.Apply(new ImageBatch(data, 1, 1, side, side), rng);
            int at = Array.IndexOf(data, 1f);
            Assert.True(at >= 0, "a shift of at most 2 keeps a pixel 3 from the edge inside");
            int dy = at / side - 3, dx = at % side - 4;
            Assert.InRange(dy, -pad, pad);
            Assert.InRange(dx, -pad, pad);
            Assert.Equal(1, data.Count(v => v != 0));
            offsets[pad - dy, pad - dx]++;   // the crop window's top-left corner in the padded image
        }
        // Uniform over 25 offsets: each expected 80 times.
        foreach (int count in offsets) Assert.InRange(count, 40, 125);
    }

    [Fact]
    public void Erasing_rectangles_follow_the_scale_and_ratio_ranges()
    {
        var erase = new RandomErasing(1, scale: (0.1, 0.3), ratio: (0.5, 2.0));
        var rng = new Rng(9);
        const int h = 40, w = 40;
        int drawn = 0;
        double meanFraction = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            if (erase.DrawRectangle(h, w, rng) is not (int top, int left, int rh, int rw)) continue;
            drawn++;
            Assert.InRange(top, 0, h - rh);
            Assert.InRange(left, 0, w - rw);
            double fraction = (double)rh * rw / (h * w);
            meanFraction += fraction;
            // Sides are rounded to whole pixels: half a pixel on sides of 9 to 31 pixels moves the area by under 2%.
            Assert.InRange(fraction, 0.1 - 0.01, 0.3 + 0.02);
            Assert.InRange((double)rh / rw, 0.5 * 0.85, 2.0 / 0.85);
        }
        Assert.Equal(2000, drawn);   // on a 40x40 image every first attempt fits
        Assert.InRange(meanFraction / drawn, 0.18, 0.22);   // uniform on [0.1, 0.3]
    }

    [Fact]
    public void Erasing_overwrites_one_rectangle_in_every_channel_with_the_value()
    {
        var data = Enumerable.Repeat(5f, 2 * 10 * 10).ToArray();
        new RandomErasing(1, scale: (0.2, 0.2), ratio: (1, 1), value: -3).Apply(new ImageBatch(data, 1, 2, 10, 10), new Rng(2));
        for (int c = 0; c < 2; c++)
        {
            var plane = data.AsSpan(c * 100, 100).ToArray();
            int erased = plane.Count(v => v == -3);
            Assert.Equal(16, erased);   // sqrt(0.2 * 100) = 4.47 rounds to 4: a 4x4 square
            Assert.Equal(100 - 16, plane.Count(v => v == 5));
            int first = Array.IndexOf(plane, -3f);
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++) Assert.Equal(-3f, plane[first + y * 10 + x]);
        }
        Assert.Equal(data.AsSpan(0, 100).ToArray(), data.AsSpan(100, 100).ToArray());
    }

    [Fact]
    public void Erasing_with_probability_zero_or_a_too_large_area_leaves_the_image()
    {
        var data = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var before = (float[])data.Clone();
        new RandomErasing(0).Apply(new ImageBatch(data, 1, 1, 4, 4), new Rng(1));
        Assert.Equal(before, data);
        // A full-image rectangle never fits (torchvision needs h < H and w < W), so all ten attempts fail.
        new RandomErasing(1, scale: (1, 1), ratio: (1, 1)).Apply(new ImageBatch(data, 1, 1, 4, 4), new Rng(1));
        Assert.Equal(before, data);
    }

    [Fact]
    public void Same_seed_gives_the_same_augmented_batch_and_another_seed_does_not()
    {
        float[] Run(ulong seed)
        {
            var data = Enumerable.Range(0, 8 * 3 * 12 * 12).Select(i => (float)(i % 251)).ToArray();
            AugmentationSpec.Parse("shift:2,flip,crop:3,erase:0.5").Apply(new ImageBatch(data, 8, 3, 12, 12), new Rng(seed));
            return data;
        }
        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Arguments_are_validated_with_their_ranges_named()
    {
        Assert.Contains("1..64", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomShift(0)).Message);
        Assert.Contains("1..64", Assert.Throws<ArgumentOutOfRangeException>(() => new PaddedRandomCrop(65)).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new HorizontalFlip(1.5)).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new HorizontalFlip(double.NaN)).Message);
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(0.5, scale: (0.4, 0.2))).ParamName);
        Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(0.5, ratio: (0, 1))).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(0.5, value: float.NaN)).ParamName);
        Assert.Throws<ArgumentException>(() => new ImageBatch(new float[5], 1, 1, 2, 2));
        Assert.Throws<ArgumentException>(() => new ImageBatch(new float[4], 1, 1, 2, 2, [0, 0]));
    }

    [Theory]
    [InlineData("shift:2,flip,crop:4,erase:0.25", "shift:2,flip:0.5,crop:4,erase:0.25")]
    [InlineData("flip", "flip:0.5")]
    [InlineData(" Shift , erase ", "shift:2,erase:0.5")]
    public void Spec_parses_steps_in_order_with_defaults(string spec, string expected) =>
        Assert.Equal(expected, AugmentationSpec.Parse(spec).ToString());

    [Theory]
    [InlineData("", "empty")]
    [InlineData("shift:2,,flip", "empty step")]
    [InlineData("rotate:10", "unknown augmentation 'rotate'")]
    [InlineData("shift:x", "'x' is not a whole number")]
    [InlineData("shift:0", "1..64")]
    [InlineData("flip:2", "[0, 1]")]
    [InlineData("erase:abc", "not a probability")]
    public void Spec_errors_name_the_problem(string spec, string mentioned) =>
        Assert.Contains(mentioned, Assert.Throws<FormatException>(() => AugmentationSpec.Parse(spec)).Message);
}
