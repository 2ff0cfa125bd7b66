using Hubel.Data;

namespace Hubel.Tests.Training;

/// <summary>Small slices of the shipped Fashion-MNIST so training tests take well under a second per epoch.</summary>
internal static class TinyData
{
    private static readonly Lazy<TrainTestSplit> Shipped = new(() => FashionMnist.LoadShipped());

    public static ImageSet Train(int count = 192) => Shipped.Value.Train.Subset([.. Enumerable.Range(0, count)]);
    public static ImageSet Test(int count = 96) => Shipped.Value.Test.Subset([.. Enumerable.Range(0, count)]);
}
