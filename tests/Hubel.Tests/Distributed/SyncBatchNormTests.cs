using Hubel.Autograd;
using Hubel.Distributed;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Distributed;

/// <summary>Synchronised batch norm in one process: two replicas on two threads, summing through a barrier, must
/// compute exactly what one batch norm computes on the whole batch (forward, input and parameter gradients, running
/// statistics), in float64.</summary>
public class SyncBatchNormTests
{
    /// <summary>Two replicas on two threads. A sum waits for both, adds slot 0 + slot 1 (the same order on both, so
    /// both get bitwise the same result) and waits again so nobody refills its slot before the other has read it.</summary>
    private sealed class TwoThreadGroup
    {
        private readonly Barrier _barrier = new(2);
        private readonly double[][] _slots = [[], []];
        public List<int> Lengths { get; } = [];

        public IReplicaGroup Member(int index) => new MemberGroup(this, index);

        private void Sum(int index, Span<double> values)
        {
            _slots[index] = values.ToArray();
            if (index == 0) lock (Lengths) Lengths.Add(values.Length);
            Wait();
            for (int i = 0; i < values.Length; i++) values[i] = _slots[0][i] + _slots[1][i];
            Wait();
        }

        private void Wait()
        {
            if (!_barrier.SignalAndWait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the other replica never reached the all-reduce");
        }

        private sealed class MemberGroup(TwoThreadGroup g, int index) : IReplicaGroup
        {
            public int Replicas => 2;
            public void SumOverReplicas(Span<double> values) => g.Sum(index, values);
        }
    }

    /// <summary>Every replica holds the same data, so sums are <c>world</c> times the local ones.</summary>
    private sealed class MirrorGroup(int world) : IReplicaGroup
    {
        public int Replicas => world;
        public void SumOverReplicas(Span<double> values) { foreach (ref var v in values) v *= world; }
    }

    private sealed class ForbiddenGroup : IReplicaGroup
    {
        public int Replicas => 2;
        public void SumOverReplicas(Span<double> values) => throw new InvalidOperationException("evaluation must not synchronise");
    }

    private static BatchNorm2d Layer(ulong seed)
    {
        var bn = new BatchNorm2d(3, momentum: 0.3, dtype: DType.Float64);
        bn.Weight!.CopyFrom(Tensor.Uniform([3], 0.5, 1.5, new Rng(seed), DType.Float64));
        bn.Bias!.CopyFrom(Tensor.Uniform([3], -0.5, 0.5, new Rng(seed + 1), DType.Float64));
        bn.RunningMean!.CopyFrom(Tensor.Uniform([3], -0.2, 0.2, new Rng(seed + 2), DType.Float64));
        return bn;
    }

    private sealed record Result(double[] Y, double[] Dx, double[] Dw, double[] Db, double[] RunningMean, double[] RunningVar);

    /// <summary>Loss Σ y·r over one replica's images (r fixed), so the two replicas' losses add up to the whole batch's.</summary>
    private static Result Step(BatchNorm2d bn, Tensor x, Tensor r)
    {
        x.RequiresGrad = true;
        var y = bn.Call(x);
        F.Sum(F.Mul(y, r)).Backward();
        return new(y.ToDoubleArray(), x.Grad!.ToDoubleArray(), bn.Weight!.Grad!.ToDoubleArray(), bn.Bias!.Grad!.ToDoubleArray(),
            bn.RunningMean!.ToDoubleArray(), bn.RunningVar!.ToDoubleArray());
    }

    private static Tensor Rows(double[] all, int[] shape, int start, int count)
    {
        int per = all.Length / shape[0];
        return Tensor.FromArray(all[(start * per)..((start + count) * per)], [count, .. shape[1..]]);
    }

    [Theory]
    [InlineData(4, 3)]   // uneven shares: the global count, not the replica count, weighs the statistics
    [InlineData(1, 1)]   // one image of 2x2 per replica: fine together, as long as the global batch has more than one value
    public void Two_replicas_on_halves_compute_what_one_batch_norm_computes_on_the_whole_batch(int first, int second)
    {
        int[] shape = [first + second, 3, 2, 2];
        var x = Tensor.Normal(shape, 0.7, 2.0, new Rng(11), DType.Float64).ToDoubleArray();
        var r = Tensor.Uniform(shape, -1, 1, new Rng(12), DType.Float64).ToDoubleArray();
        var whole = Step(Layer(1), Tensor.FromArray(x, shape), Tensor.FromArray(r, shape));

        var group = new TwoThreadGroup();
        var replicas = new[] { Layer(1), Layer(1) };
        for (int i = 0; i < 2; i++) replicas[i].SyncGroup = group.Member(i);
        var parts = new Result[2];
        var threads = new[] { (0, first), (first, second) }.Select((range, i) => new Thread(() =>
            parts[i] = Step(replicas[i], Rows(x, shape, range.Item1, range.Item2), Rows(r, shape, range.Item1, range.Item2)))).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a replica did not finish");

        Assert.Equal([2 * 3 + 1, 2 * 3], group.Lengths);                  // forward: Σx, Σx², count; backward: Σdy, Σdy·x̂
        AssertClose(whole.Y, [.. parts[0].Y, .. parts[1].Y]);
        AssertClose(whole.Dx, [.. parts[0].Dx, .. parts[1].Dx]);
        AssertClose(whole.Dw, parts[0].Dw.Zip(parts[1].Dw, (a, b) => a + b).ToArray());
        AssertClose(whole.Db, parts[0].Db.Zip(parts[1].Db, (a, b) => a + b).ToArray());
        foreach (var p in parts)
        {
            AssertClose(whole.RunningMean, p.RunningMean);               // global mean, unbiased variance over the global count
            AssertClose(whole.RunningVar, p.RunningVar);
        }
    }

    [Fact]
    public void Synchronised_backward_passes_gradcheck()
    {
        var bn = Layer(3);
        bn.SyncGroup = new MirrorGroup(3);
        var x = Tensor.Normal([3, 3, 2, 2], 0, 1, new Rng(4), DType.Float64).RequireGrad();
        var result = GradCheck.Check(t => bn.Forward(t[0]), [x, bn.Weight!, bn.Bias!]);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void A_global_batch_of_one_value_per_channel_is_refused()
    {
        var bn = new BatchNorm1d(2, dtype: DType.Float64) { SyncGroup = new MirrorGroup(1) };
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Ones([1, 2], DType.Float64)));
        Assert.Contains("over all replicas", e.Message);
    }

    [Fact]
    public void Evaluation_is_plain_batch_norm_and_never_synchronises()
    {
        var plain = Layer(5);
        var synced = Layer(5);
        synced.SyncGroup = new ForbiddenGroup();
        plain.Eval(); synced.Eval();
        var x = Tensor.Normal([2, 3, 3, 3], 0, 1, new Rng(6), DType.Float64);
        Assert.Equal(plain.Forward(x).ToDoubleArray(), synced.Forward(x).ToDoubleArray());
    }

    [Fact]
    public void Convert_switches_every_batch_norm_in_place_and_keeps_the_state_dict()
    {
        var net = new ResNetCifar(20, 10, 1, new Rng(7));
        var namesBefore = net.NamedState().Select(s => s.Name).ToList();
        var tensorsBefore = net.NamedState().Select(s => s.Value).ToList();
        int expected = net.NamedModules().Count(m => m.Module is BatchNorm);
        Assert.True(expected >= 19);

        using var comm = new SingleProcessCommunicator();
        Assert.Equal(expected, SyncBatchNorm.Convert(net, comm));
        Assert.All(net.NamedModules().Select(m => m.Module).OfType<BatchNorm>(), bn => Assert.Equal(1, bn.SyncGroup!.Replicas));
        Assert.Equal(namesBefore, net.NamedState().Select(s => s.Name));
        Assert.Equal(tensorsBefore, net.NamedState().Select(s => s.Value));   // the very same tensors

        // A group of one is plain batch norm (up to the one-pass variance's rounding).
        var plain = new ResNetCifar(20, 10, 1, new Rng(7));
        var x = Tensor.Normal([4, 1, 12, 12], 0, 1, new Rng(8));
        var a = net.Forward(x).ToFloatArray();
        var b = plain.Forward(x).ToFloatArray();
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-4 * (1 + Math.Abs(b[i])), $"logit {i}: {a[i]} vs {b[i]}");

        SyncBatchNorm.Revert(net);
        Assert.All(net.NamedModules().Select(m => m.Module).OfType<BatchNorm>(), bn => Assert.Null(bn.SyncGroup));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-10 * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
