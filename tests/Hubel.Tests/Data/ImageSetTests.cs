using Hubel.Data;

namespace Hubel.Tests.Data;

public sealed class ImageSetTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    private static ImageSet Make(int count) =>
        new([.. Enumerable.Range(0, count * 4).Select(i => (byte)i)], [.. Enumerable.Range(0, count).Select(i => (byte)(i % 3))],
            count, 1, 2, 2, Names);

    [Fact]
    public void Valid_SetExposesShape()
    {
        var s = Make(5);
        Assert.Equal(4, s.PixelsPerImage);
        Assert.Equal(3, s.ClassCount);
        Assert.Equal([8, 9, 10, 11], s.Image(2).ToArray());
        Assert.Equal([2, 2, 1], s.ClassCounts());
    }

    [Fact]
    public void EmptySet_IsAllowed() => Assert.Equal(0, Make(0).Count);

    [Fact]
    public void Inconsistent_LengthsAndLabels_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageSet(new byte[7], new byte[2], 2, 1, 2, 2, Names));
        Assert.Contains("need 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ImageSet(new byte[8], new byte[3], 2, 1, 2, 2, Names));
        Assert.Contains("labels has 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ImageSet(new byte[8], [0, 3], 2, 1, 2, 2, Names));
        Assert.Contains("labels[1] = 3", e.Message);
        Assert.ThrowsAny<ArgumentException>(() => new ImageSet(new byte[8], new byte[2], 2, 0, 2, 2, Names));
        Assert.ThrowsAny<ArgumentException>(() => new ImageSet([], [], 0, 1, 2, 2, []));
        Assert.ThrowsAny<ArgumentException>(() => new ImageSet([], [], -1, 1, 2, 2, Names));
    }

    [Fact]
    public void Subset_CopiesInOrder_AndRejectsBadIndices()
    {
        var s = Make(5);
        var sub = s.Subset([4, 0, 4]);
        Assert.Equal(3, sub.Count);
        Assert.Equal([16, 17, 18, 19, 0, 1, 2, 3, 16, 17, 18, 19], sub.Pixels);
        Assert.Equal([1, 0, 1], sub.Labels);
        Assert.Same(s.ClassNames, sub.ClassNames);
        Assert.Equal(0, s.Subset([]).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Subset([5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Subset([-1]));
    }
}
