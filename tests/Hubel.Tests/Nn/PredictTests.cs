using Hubel.Autograd;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Tests.Nn;

/// <summary><see cref="Module.Predict"/>: the same values as Forward without the tape, an output that survives later
/// calls (only the intermediates are recycled), no gradient recorded, and little allocation once warm.</summary>
public class PredictTests
{
    [Fact]
    public void Predict_equals_forward_and_its_output_survives_later_calls()
    {
        var rng = new Rng(3);
        var model = new ResNetCifar(20, rng: rng);
        model.Eval();
        var a = Tensor.Normal([2, 3, 32, 32], 0, 1, rng);
        var b = Tensor.Normal([2, 3, 32, 32], 0, 1, rng);
        double[] expectedA, expectedB;
        using (Graph.NoGrad())
        {
            expectedA = model.Forward(a).ToDoubleArray();
            expectedB = model.Forward(b).ToDoubleArray();
        }
        var ya = model.Predict(a);
        var snapshot = ya.ToDoubleArray();
        Assert.Equal(expectedA, snapshot);
        // Later calls recycle the intermediates of this one, never its output.
        for (int i = 0; i < 3; i++) Assert.Equal(expectedB, model.Predict(b).ToDoubleArray());
        Assert.Equal(snapshot, ya.ToDoubleArray());
        Assert.False(ya.RequiresGrad);
        Assert.Null(ya.GradFn);
    }

    [Fact]
    public void Predict_leaves_the_mode_alone_and_records_nothing_on_parameters()
    {
        var model = new LeNet5(rng: new Rng(1));
        var x = Tensor.Normal([1, 1, 28, 28], 0, 1, new Rng(2));
        var y = model.Predict(x);
        Assert.True(model.IsTraining);
        Assert.Null(y.GradFn);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void A_warm_batch_1_prediction_allocates_little()
    {
        var model = new LeNet5(rng: new Rng(1));
        model.Eval();
        var x = Tensor.Normal([1, 1, 28, 28], 0, 1, new Rng(2));
        for (int i = 0; i < 20; i++) model.Predict(x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) model.Predict(x);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        // Forward under NoGrad allocates 40.8 KB a call (its activations); Predict 8.2 KB (tensor objects, small arrays).
        Assert.True(perCall < 12_000, $"{perCall} bytes per call");
    }
}
