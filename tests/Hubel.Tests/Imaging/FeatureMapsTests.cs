using Hubel.Imaging;
using Hubel.Tensors;

namespace Hubel.Tests.Imaging;

public class FeatureMapsTests
{
    [Fact]
    public void A_channel_is_stretched_to_the_full_range()
    {
        var act = Tensor.FromArray(new float[] { 0, 1, 2, 3, /* ch1 */ 5, 5, 5, 5 }, [1, 2, 2, 2]);
        Assert.Equal([0f, 1f / 3, 2f / 3, 1f], FeatureMaps.Channel(act, 0).ToFloatArray());
        Assert.Equal([0.5f, 0.5f, 0.5f, 0.5f], FeatureMaps.Channel(act, 1).ToFloatArray());   // flat map: mid grey
        Assert.Equal("channel", Assert.Throws<ArgumentOutOfRangeException>(() => FeatureMaps.Channel(act, 2)).ParamName);
        Assert.Equal(2, FeatureMaps.Channels(act).Count);
    }

    [Fact]
    public void Filters_average_input_channels_unless_there_are_three()
    {
        var w = Tensor.FromArray(Enumerable.Range(0, 2 * 2 * 4).Select(i => (float)i).ToArray(), [2, 2, 2, 2]);
        var tiles = FeatureMaps.Filters(w);
        Assert.Equal(2, tiles.Count);
        Assert.Equal([1, 2, 2], tiles[0].Image.Shape.ToArray());
        var rgb = FeatureMaps.Filters(Tensor.Zeros([4, 3, 3, 3]));
        Assert.Equal([3, 3, 3], rgb[0].Image.Shape.ToArray());
    }
}
