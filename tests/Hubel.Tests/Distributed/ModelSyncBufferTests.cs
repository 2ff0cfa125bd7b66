using Hubel.Distributed;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Tests.Distributed;

/// <summary>Without synchronised batch norm, each rank's running statistics follow its own shards; at the end of an
/// epoch <see cref="ModelSync.AverageBuffers"/> makes every rank hold their mean.</summary>
public class ModelSyncBufferTests
{
    /// <summary>Rank 0 of a pretend pair: the float all-reduce adds what the peer's buffers hold, in the order the
    /// model lists them.</summary>
    private sealed class PairCommunicator(Queue<float[]> peerBuffers) : StubCommunicator(0, 2, "pair")
    {
        public override void AllReduceSum(Span<float> buffer)
        {
            var theirs = peerBuffers.Dequeue();
            Assert.Equal(theirs.Length, buffer.Length);
            for (int i = 0; i < buffer.Length; i++) buffer[i] += theirs[i];
        }
    }

    [Fact]
    public void Running_statistics_become_the_mean_over_ranks_and_parameters_are_untouched()
    {
        var bn = new BatchNorm2d(3);
        var mean = bn.NamedBuffers().Single(b => b.Name == "running_mean").Value;
        var variance = bn.NamedBuffers().Single(b => b.Name == "running_var").Value;
        float[] myMean = [0.5f, -1f, 2f], myVar = [1f, 3f, 0.25f];
        myMean.CopyTo(mean.Span<float>());
        myVar.CopyTo(variance.Span<float>());
        float[] weightBefore = bn.NamedParameters().Single(p => p.Name == "weight").Value.ToFloatArray();

        var peer = new Queue<float[]>();
        foreach (var (name, t) in bn.NamedBuffers())
            if (t.DType == DType.Float32) peer.Enqueue(name == "running_mean" ? [1.5f, 1f, -2f] : [3f, 1f, 0.75f]);
        ModelSync.AverageBuffers(new PairCommunicator(peer), bn);

        Assert.Empty(peer);
        Assert.Equal([1f, 0f, 0f], mean.ToFloatArray());
        Assert.Equal([2f, 2f, 0.5f], variance.ToFloatArray());
        Assert.Equal(weightBefore, bn.NamedParameters().Single(p => p.Name == "weight").Value.ToFloatArray());
    }

    [Fact]
    public void One_rank_leaves_the_buffers_alone()
    {
        var bn = new BatchNorm2d(2);
        bn.NamedBuffers().Single(b => b.Name == "running_mean").Value.Span<float>()[1] = 7f;
        ModelSync.AverageBuffers(new SingleProcessCommunicator(), bn);
        Assert.Equal(7f, bn.NamedBuffers().Single(b => b.Name == "running_mean").Value.ToFloatArray()[1]);
    }
}
