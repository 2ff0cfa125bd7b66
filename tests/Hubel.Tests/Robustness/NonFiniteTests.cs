using Hubel.Data;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Tests.Robustness;

/// <summary>Cases 61–64 of docs/ROBUSTNESS.md, the NaN/Inf policy: non-finite inputs are caught where data enters,
/// with their position; a non-finite loss stops training with the epoch and batch where it happened.</summary>
public class NonFiniteTests
{
    private static ImageSet TinySet(int count = 8) =>
        new(Enumerable.Range(0, count * 28 * 28).Select(i => (byte)(i * 7)).ToArray(), Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray(),
            count, 1, 28, 28, FashionMnist.ClassNames);

    [Fact] public void R61_nan_normalisation_mean_is_caught_when_the_loader_is_built() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(TinySet(), 4, shuffle: false, mean: float.NaN), "mean", "mean[0] = NaN", "finite");

    [Fact]
    public void R62_infinite_value_in_an_input_tensor_is_reported_with_its_sample()
    {
        var x = Tensor.Zeros([3, 1, 2, 2]).ToFloatArray();
        x[9] = float.PositiveInfinity;
        Expect.Throws<InvalidDataException>(() => FiniteData.Require(Tensor.FromArray(x, [3, 1, 2, 2]), "batch"), null, "batch", "element 9", "sample 2", "finite");
    }

    [Fact]
    public void R63_nan_loss_stops_training_with_epoch_and_batch()
    {
        var net = new LeNet5(rng: new Rng(1));
        var bias = net.NamedParameters().First(p => p.Name == "fc3.bias").Value;
        bias.CopyFrom(Tensor.Full(bias.ShapeArray, double.NaN));
        var trainer = new Trainer(net, new Sgd(net.Parameters(), 0.01, 0, 0));
        var data = new BatchLoader(TinySet(), 4, shuffle: false);
        Expect.Throws<InvalidOperationException>(() => trainer.RunEpoch(3, data, data), null, "loss is NaN", "epoch 3, batch 1");
    }

    [Fact]
    public void R64_finite_data_passes_untouched()
    {
        FiniteData.Require(Tensor.Full([2, 3], 1e30, DType.Float64), "big but finite");
        FiniteData.Require(new float[] { float.MaxValue, float.MaxValue, -float.MaxValue }, "sum overflows, values do not");
    }
}
