using Hubel.Distributed;
using Hubel.Models;
using Hubel.Tensors;

namespace Hubel.Tests.Distributed;

/// <summary>The start-of-training broadcast covers every piece of state, including batch norm's float64
/// num_batches_tracked (ResNet-20 under mpirun failed on it before).</summary>
public class ModelSyncBroadcastTests
{
    /// <summary>A non-root rank whose "root" holds <c>source</c>: each broadcast overwrites the buffer with the
    /// source's next state tensor, in NamedState order, as MPI_Bcast would.</summary>
    private sealed class FromSource(IReadOnlyList<Tensor> source) : StubCommunicator(1, 2, "from-source")
    {
        private int _next;
        public override void Broadcast(Span<float> buffer, int root) => source[_next++].Span<float>().CopyTo(buffer);
        public override void Broadcast(Span<byte> buffer, int root) =>
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(source[_next++].Span<double>()).CopyTo(buffer);
    }

    [Fact]
    public void Broadcast_copies_float32_weights_and_float64_batch_norm_counters()
    {
        var root = new ResNetCifar(8, 10, 1, new Rng(1));
        root.Train();
        root.Call(Tensor.Normal([4, 1, 8, 8], 0, 1, new Rng(2)));   // running stats and num_batches_tracked move
        var replica = new ResNetCifar(8, 10, 1, new Rng(99));

        ModelSync.Broadcast(new FromSource([.. root.NamedState().Select(s => s.Value)]), replica, root: 0);

        var expected = root.NamedState().ToDictionary(s => s.Name, s => s.Value);
        Assert.Contains(expected, s => s.Value.DType == DType.Float64);
        foreach (var (name, t) in replica.NamedState())
            Assert.True(expected[name].ToDoubleArray().SequenceEqual(t.ToDoubleArray()), $"{name} differs after the broadcast");
    }
}
