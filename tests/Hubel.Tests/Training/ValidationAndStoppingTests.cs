using Hubel.Training;

namespace Hubel.Tests.Training;

public class ValidationAndStoppingTests
{
    [Fact]
    public void Hold_out_is_seeded_disjoint_and_keeps_every_image_once()
    {
        var set = TinyData.Train(100);
        var (train, val) = ValidationSplit.HoldOut(set, 0.2, 7);
        Assert.Equal(80, train.Count);
        Assert.Equal(20, val.Count);
        var (train2, val2) = ValidationSplit.HoldOut(set, 0.2, 7);
        Assert.Equal(val.Pixels, val2.Pixels);
        Assert.Equal(train.Labels, train2.Labels);
        var (_, val3) = ValidationSplit.HoldOut(set, 0.2, 8);
        Assert.NotEqual(val.Pixels, val3.Pixels);
        // Every image lands in exactly one part: compare the multisets of whole images.
        string Key(Hubel.Data.ImageSet s, int i) => Convert.ToHexString(s.Image(i)) + s.Labels[i];
        var all = Enumerable.Range(0, set.Count).Select(i => Key(set, i)).Order().ToList();
        var parts = Enumerable.Range(0, train.Count).Select(i => Key(train, i)).Concat(Enumerable.Range(0, val.Count).Select(i => Key(val, i))).Order().ToList();
        Assert.Equal(all, parts);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    [InlineData(0.001)]     // rounds to no validation image out of 100
    public void Bad_fractions_name_the_argument(double fraction)
    {
        Assert.Equal("fraction", Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.HoldOut(TinyData.Train(100), fraction, 0)).ParamName);
    }

    private static EpochReport R(int epoch, double valAcc, double valLoss = 1) => new(epoch, 1, 0.5, 1, 0.5, 100, 1, valLoss, valAcc);

    [Fact]
    public void Early_stopping_waits_patience_epochs_after_the_best_accuracy()
    {
        var s = new EarlyStopping(2);
        Assert.True(s.Observe(R(1, 0.5)));
        Assert.True(s.Observe(R(2, 0.6)));
        Assert.False(s.Observe(R(3, 0.6)));      // equal is not better
        Assert.False(s.ShouldStop);
        Assert.True(s.Observe(R(4, 0.7)));
        Assert.False(s.Observe(R(5, 0.65)));
        Assert.False(s.Observe(R(6, 0.69)));
        Assert.True(s.ShouldStop);
        Assert.Equal(4, s.BestEpoch);
        Assert.Equal(0.7, s.BestValue);
    }

    [Fact]
    public void Early_stopping_on_loss_prefers_lower_and_needs_validation()
    {
        var s = new EarlyStopping(1, EarlyStoppingMetric.ValLoss);
        Assert.True(s.Observe(R(1, 0.5, valLoss: 0.9)));
        Assert.True(s.Observe(R(2, 0.4, valLoss: 0.8)));
        Assert.False(s.Observe(R(3, 0.9, valLoss: 0.85)));
        Assert.True(s.ShouldStop);
        Assert.Throws<ArgumentException>(() => s.Observe(new EpochReport(4, 1, 0.5, 1, 0.5, 100, 1)));
        Assert.Equal("patience", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(0)).ParamName);
    }
}
