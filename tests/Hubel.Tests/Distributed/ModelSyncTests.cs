using Hubel.Distributed;
using Hubel.Models;
using Hubel.Tensors;

namespace Hubel.Tests.Distributed;

public class ModelSyncTests
{
    /// <summary>Rank 0 of a pretend pair whose peer holds <c>peer</c>: sums add the peer's hash pieces (first half of
    /// the buffer) and their squares (second half).</summary>
    private sealed class PairCommunicator(LeNet5 peer) : StubCommunicator(0, 2, "pair")
    {
        public override void AllReduceSum(Span<double> buffer)
        {
            Span<double> theirs = stackalloc double[buffer.Length];
            ModelSyncProbe.Pieces(peer, theirs);
            for (int i = 0; i < buffer.Length; i++) buffer[i] += theirs[i];
        }
    }

    /// <summary>What the peer would contribute: ModelSync's own pieces, read through a one-rank "all-reduce".</summary>
    private static class ModelSyncProbe
    {
        public static void Pieces(LeNet5 model, Span<double> into)
        {
            var capture = new CaptureCommunicator();
            ModelSync.WeightsIdentical(capture, model);
            capture.Captured.CopyTo(into);
        }
    }

    private sealed class CaptureCommunicator() : StubCommunicator(0, 1, "capture")
    {
        public double[] Captured { get; private set; } = [];
        public override void AllReduceSum(Span<double> buffer) => Captured = buffer.ToArray();
        public override void AllReduceSum(Span<float> buffer) { }
        public override void Broadcast(Span<float> buffer, int root) { }
        public override void Broadcast(Span<byte> buffer, int root) { }
    }

    [Fact]
    public void Identical_weights_pass_and_a_single_changed_bit_is_caught()
    {
        var mine = new LeNet5(rng: new Rng(3));
        Assert.True(ModelSync.WeightsIdentical(new PairCommunicator(new LeNet5(rng: new Rng(3))), mine));
        var other = new LeNet5(rng: new Rng(3));
        var w = other.Fc3.Weight.ToFloatArray();
        w[17] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(w[17]) ^ 1);   // last mantissa bit
        other.LoadParameters(new Dictionary<string, Tensor> { ["fc3.weight"] = Tensor.FromArray(w, [10, 84]) }, strict: false);
        Assert.False(ModelSync.WeightsIdentical(new PairCommunicator(other), mine));
        Assert.True(ModelSync.WeightsIdentical(new SingleProcessCommunicator(), mine));
    }
}
