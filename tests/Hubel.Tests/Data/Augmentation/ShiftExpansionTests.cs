using Hubel.Data;
using Hubel.Data.Augmentation;

namespace Hubel.Tests.Data.Augmentation;

public sealed class ShiftExpansionTests
{
    [Fact]
    public void Each_image_is_followed_by_its_four_one_pixel_shifts_with_black_fill()
    {
        // Two 3x3 grey images with distinct labels.
        byte[] pixels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19];
        var set = new ImageSet(pixels, [1, 0], 2, 1, 3, 3, ["a", "b"]);
        var big = ShiftExpansion.Expand(set);
        Assert.Equal(10, big.Count);
        Assert.Equal([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], big.Labels);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], big.Image(0).ToArray());
        Assert.Equal([0, 0, 0, 1, 2, 3, 4, 5, 6], big.Image(1).ToArray());   // down
        Assert.Equal([4, 5, 6, 7, 8, 9, 0, 0, 0], big.Image(2).ToArray());   // up
        Assert.Equal([0, 1, 2, 0, 4, 5, 0, 7, 8], big.Image(3).ToArray());   // right
        Assert.Equal([2, 3, 0, 5, 6, 0, 8, 9, 0], big.Image(4).ToArray());   // left
        Assert.Equal([11, 12, 13, 14, 15, 16, 17, 18, 19], big.Image(5).ToArray());
        Assert.Equal([12, 13, 0, 15, 16, 0, 18, 19, 0], big.Image(9).ToArray());
        Assert.Equal(pixels, set.Pixels.ToArray());   // the source is untouched
    }

    [Fact]
    public void Colour_images_shift_every_plane_alike()
    {
        byte[] pixels = [.. Enumerable.Range(1, 12).Select(i => (byte)i)];   // 3 planes of 2x2
        var big = ShiftExpansion.Expand(new ImageSet(pixels, [0], 1, 3, 2, 2, ["only"]));
        Assert.Equal([0, 0, 1, 2, 0, 0, 5, 6, 0, 0, 9, 10], big.Image(1).ToArray());
        Assert.Equal([2, 0, 4, 0, 6, 0, 8, 0, 10, 0, 12, 0], big.Image(4).ToArray());
    }
}
