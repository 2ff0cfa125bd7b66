using Hubel.Models;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Tests.Memory;

/// <summary>Recycling storage must never change a number: the same training run with pooling on and off ends with bitwise
/// identical weights, buffers, optimiser state, losses and logits, and what a step hands back stays intact afterwards.
/// A recycled array that something still reads would show up here as a differing bit.</summary>
public class PooledTrainingTests
{
    private static (Tensor X, int[] Y) Batch(Rng rng, int n, int[] image, int classes)
    {
        var x = Tensor.Normal([n, .. image], 0, 1, rng);
        var y = Enumerable.Range(0, n).Select(i => (int)(rng.NextDouble() * classes)).ToArray();
        return (x, y);
    }

    private static (List<double> Losses, List<float[]> Logits, Module Model, Optimizer Optimizer) Run(Func<Module> create, bool pool, int[] image,
        int steps, double clipNorm)
    {
        var model = create();
        var optimizer = new Sgd(model.Parameters(), lr: 0.05, momentum: 0.9, weightDecay: 1e-4);
        var trainer = new Trainer(model, optimizer) { PoolMemory = pool, ClipGradNorm = clipNorm };
        var rng = new Rng(7);
        var losses = new List<double>();
        var logits = new List<float[]>();
        model.Train();
        for (int s = 0; s < steps; s++)
        {
            var (x, y) = Batch(rng, 8, image, 10);
            var (loss, l) = trainer.TrainStep(x, y);
            losses.Add(loss);
            logits.Add(l.ToFloatArray());
        }
        return (losses, logits, model, optimizer);
    }

    private static void AssertBitwiseEqual(Func<Module> create, int[] image, int steps, double clipNorm)
    {
        var off = Run(create, pool: false, image, steps, clipNorm);
        var on = Run(create, pool: true, image, steps, clipNorm);
        Assert.Equal(off.Losses, on.Losses);
        for (int s = 0; s < steps; s++) Assert.Equal(off.Logits[s], on.Logits[s]);
        var a = off.Model.NamedState().ToList();
        var b = on.Model.NamedState().ToList();
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Name, b[i].Name);
            Assert.Equal(a[i].Value.ToDoubleArray(), b[i].Value.ToDoubleArray());
        }
        var oa = off.Optimizer.NamedState().ToList();
        var ob = on.Optimizer.NamedState().ToList();
        Assert.Equal(oa.Select(s => s.Name), ob.Select(s => s.Name));
        for (int i = 0; i < oa.Count; i++) Assert.Equal(oa[i].Value.ToDoubleArray(), ob[i].Value.ToDoubleArray());
    }

    [Fact]
    public void LeNet5_trains_bit_for_bit_the_same_with_and_without_pooling()
    {
        AssertBitwiseEqual(() => new LeNet5(rng: new Rng(3)), [1, 28, 28], steps: 5, clipNorm: 0);
    }

    [Fact]
    public void Clipping_that_replaces_gradients_inside_the_step_is_kept_alive()
    {
        // ClipGradNorm assigns new gradient tensors inside the scope; recycling them would corrupt the next step.
        AssertBitwiseEqual(() => new LeNet5(rng: new Rng(4)), [1, 28, 28], steps: 4, clipNorm: 0.5);
    }

    [Fact]
    public void Residual_network_with_batch_norm_trains_bit_for_bit_the_same_with_and_without_pooling()
    {
        // ResNet-8: shortcuts (a tensor used twice), batch norm running statistics, strided and padded shortcuts.
        AssertBitwiseEqual(() => new ResNetCifar(8, rng: new Rng(5)), [3, 16, 16], steps: 4, clipNorm: 0);
    }

    [Fact]
    public void Logits_returned_by_a_step_stay_intact_through_later_steps()
    {
        var model = new LeNet5(rng: new Rng(6));
        var trainer = new Trainer(model, new Sgd(model.Parameters(), lr: 0.05, momentum: 0.9));
        var rng = new Rng(8);
        var (x0, y0) = Batch(rng, 8, [1, 28, 28], 10);
        var (_, first) = trainer.TrainStep(x0, y0);
        var copy = first.ToFloatArray();
        for (int s = 0; s < 3; s++)
        {
            var (x, y) = Batch(rng, 8, [1, 28, 28], 10);
            trainer.TrainStep(x, y);
        }
        Assert.Equal(copy, first.ToFloatArray());
        Assert.Contains(copy, v => v != 0);
    }

    [Fact]
    public void A_pooled_LeNet5_step_allocates_a_small_fraction_of_an_unpooled_one()
    {
        static long PerStep(bool pool)
        {
            var model = new LeNet5(rng: new Rng(9));
            var trainer = new Trainer(model, new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9)) { PoolMemory = pool };
            var (x, y) = Batch(new Rng(10), 32, [1, 28, 28], 10);
            for (int s = 0; s < 3; s++) trainer.TrainStep(x, y);   // warm-up: pool buckets, gradients, momentum
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int s = 0; s < 4; s++) trainer.TrainStep(x, y);
            return (GC.GetAllocatedBytesForCurrentThread() - before) / 4;
        }
        long unpooled = PerStep(false), pooled = PerStep(true);
        // Batch 32: the activations alone are ~2 MB per step; what is left pooled is graph bookkeeping.
        Assert.True(unpooled > 1_000_000, $"unpooled step allocated {unpooled} bytes");
        Assert.True(pooled * 10 < unpooled, $"pooled step allocated {pooled} bytes, unpooled {unpooled}");
    }
}
