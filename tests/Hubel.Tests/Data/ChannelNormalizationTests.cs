using Hubel.Data;

namespace Hubel.Tests.Data;

public sealed class ChannelNormalizationTests
{
    [Fact]
    public void FromData_computes_each_channels_mean_and_population_std()
    {
        // Two 2-channel 1x2 images: channel 0 holds 0, 255, 0, 255; channel 1 is constant 51.
        var set = new ImageSet([0, 255, 51, 51, 0, 255, 51, 51], [0, 0], 2, 2, 1, 2, ["x"]);
        var n = ChannelNormalization.FromData(set);
        Assert.Equal(0.5f, n.Mean[0], 1e-6f);
        Assert.Equal(0.5f, n.Std[0], 1e-6f);
        Assert.Equal(0.2f, n.Mean[1], 1e-6f);
        Assert.Equal(1f, n.Std[1]);   // constant channel: std 1 instead of a division by zero
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new ChannelNormalization([0.5f], [0.1f, 0.2f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelNormalization([0.5f], [0f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelNormalization([float.NaN], [1f]));
        Assert.Throws<ArgumentException>(() => ChannelNormalization.FromData(new ImageSet([], [], 0, 1, 1, 1, ["x"])));
        Assert.Equal(3, ChannelNormalization.FashionMnist.ForChannels(3).Channels);
        Assert.Equal([-0.4914f / 0.2470f, -0.4822f / 0.2435f, -0.4465f / 0.2616f], ChannelNormalization.Cifar10.BlackLevel());
    }
}
