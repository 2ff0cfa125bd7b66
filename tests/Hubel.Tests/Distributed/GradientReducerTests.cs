using Hubel.Autograd;
using Hubel.Distributed;
using Hubel.Models;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Distributed;

public class GradientReducerTests
{
    /// <summary>A pretend group of <c>world</c> ranks that all hold this rank's data: a sum multiplies by world.
    /// Records the order in which all-reduces start, and completes each one only on Wait.</summary>
    private sealed class MirrorCommunicator(int world) : ICommunicator
    {
        public List<int> Started { get; } = [];
        public int Rank => 0;
        public int WorldSize => world;
        public string Name => "mirror";
        public void AllReduceSum(Span<float> buffer) { foreach (ref var v in buffer) v *= world; }
        public void AllReduceSum(Span<double> buffer) { foreach (ref var v in buffer) v *= world; }
        public IReduceRequest StartAllReduceSum(Memory<float> buffer) { Started.Add(buffer.Length); return new Pending(this, buffer); }
        public void Broadcast(Span<float> buffer, int root) { }
        public void Broadcast(Span<byte> buffer, int root) { }
        public void Barrier() { }
        public void Abort(int exitCode) => throw new InvalidOperationException("abort");
        public void Dispose() { }

        private sealed class Pending(MirrorCommunicator c, Memory<float> buffer) : IReduceRequest
        {
            private bool _done;
            public bool Test() => _done;
            public void Wait() { if (!_done) c.AllReduceSum(buffer.Span); _done = true; }
        }
    }

    private static (LeNet5 Net, Tensor Loss) Step()
    {
        var net = new LeNet5(rng: new Rng(1));
        var x = Tensor.Normal([4, 1, 28, 28], 0, 1, new Rng(2));
        return (net, F.CrossEntropy(net.Forward(x), [1, 2, 3, 4]));
    }

    [Theory]
    [InlineData(4, true)]          // one bucket per parameter
    [InlineData(1 << 20, true)]    // one bucket for all
    [InlineData(4096, false)]
    public void The_mean_over_ranks_that_hold_the_same_gradients_is_that_gradient(int bucketBytes, bool overlap)
    {
        var (net, loss) = Step();
        var reference = Step();
        reference.Loss.Backward();
        var expected = reference.Net.Parameters().Select(p => p.Grad!.ToFloatArray()).ToList();

        var comm = new MirrorCommunicator(4);
        var reducer = new GradientReducer(comm, net.Parameters().ToList(), bucketBytes, overlap);
        using (reducer.Backward()) loss.Backward();
        if (overlap && reducer.BucketCount > 1) Assert.NotEmpty(comm.Started);   // sent during backward, before Finish
        reducer.Finish();
        Assert.Equal(reducer.BucketCount, comm.Started.Count);
        var got = net.Parameters().Select(p => p.Grad!.ToFloatArray()).ToList();
        for (int i = 0; i < got.Count; i++) Assert.Equal(expected[i], got[i]);   // ×4 then ×¼: exact
        // Buckets hold parameters in reverse order, the order backward finishes them: the first one sent is fc3's.
        if (bucketBytes == 4) Assert.Equal(net.Fc3.Bias!.Numel, comm.Started[0]);
    }

    [Fact]
    public void The_leaf_hook_sees_each_parameter_once_with_its_complete_gradient()
    {
        var (net, loss) = Step();
        var seen = new List<(Tensor P, float[] G)>();
        using (BackwardHooks.OnLeafGradientReady(p => seen.Add((p, p.Grad!.ToFloatArray()))))
            loss.Backward();
        var parameters = net.Parameters().ToList();
        Assert.Equal(parameters.Count, seen.Count);
        Assert.Equal(parameters.Count, seen.Select(s => s.P).Distinct(ReferenceEqualityComparer.Instance).Count());
        foreach (var (p, g) in seen) Assert.Equal(p.Grad!.ToFloatArray(), g);       // nothing was added after the hook ran
        var (_, later) = Step();
        later.Backward();                                                            // scope ended: no more calls
        Assert.Equal(parameters.Count, seen.Count);
    }

    [Fact]
    public void Frozen_parameters_are_not_synchronised_so_the_optimiser_leaves_them_alone()
    {
        var net = new LeNet5(rng: new Rng(1));
        net.Conv1.Weight.RequiresGrad = false;
        var loss = F.CrossEntropy(net.Forward(Tensor.Normal([4, 1, 28, 28], 0, 1, new Rng(2))), [1, 2, 3, 4]);
        var frozenBefore = net.Conv1.Weight.ToFloatArray();
        var reducer = new GradientReducer(new MirrorCommunicator(2), net.Parameters().ToList(), 4);
        using (reducer.Backward()) loss.Backward();
        reducer.Finish();
        Assert.Null(net.Conv1.Weight.Grad);   // no zero gradient that weight decay or momentum would act on
        var sgd = new Hubel.Optim.Sgd(net.Parameters(), lr: 0.1, momentum: 0.9, weightDecay: 0.1);
        sgd.Step();
        Assert.Equal(frozenBefore, net.Conv1.Weight.ToFloatArray());
        Assert.NotNull(net.Conv1.Bias!.Grad);
    }

    [Fact]
    public void Bad_arguments_are_rejected_clearly()
    {
        var comm = new MirrorCommunicator(2);
        var net = new LeNet5(rng: new Rng(1));
        Assert.Equal("bucketBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new GradientReducer(comm, net.Parameters().ToList(), 0)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => new GradientReducer(comm, [])).ParamName);
        var p = net.Parameters().First();
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new GradientReducer(comm, [p, p])).Message);
    }
}
