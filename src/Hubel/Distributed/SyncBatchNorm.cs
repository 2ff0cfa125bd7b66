using Hubel.Nn;
using Hubel.Nn.Layers;

namespace Hubel.Distributed;

/// <summary>
/// Synchronised batch norm for data-parallel training, PyTorch's <c>SyncBatchNorm.convert_sync_batchnorm</c>: every
/// <see cref="BatchNorm"/> (1d, 2d, 3d) of a model is switched, in place, to take its training statistics over the
/// global batch of all ranks (an all-reduce of Σx, Σx² and the count per channel in forward, of Σdy and Σdy·x̂ in
/// backward). The layers stay the same objects, so the model's own references to them, its parameters, buffers and
/// state_dict names, and so its checkpoints, are all unchanged; only training-mode arithmetic differs. Small per-rank
/// batches then normalise as well as one large batch, at the price of two small blocking all-reduces per layer and step.
/// </summary>
public static class SyncBatchNorm
{
    /// <summary>Makes every batch-norm layer of <paramref name="model"/> synchronise over <paramref name="communicator"/>'s
    /// ranks; returns how many layers it switched. Every rank must convert the same model.</summary>
    public static int Convert(Module model, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(communicator);
        var group = new CommunicatorGroup(communicator);
        int converted = 0;
        foreach (var bn in BatchNorms(model)) { bn.SyncGroup = group; converted++; }
        return converted;
    }

    /// <summary>Makes every batch-norm layer of <paramref name="model"/> plain (per-rank statistics) again.</summary>
    public static void Revert(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var bn in BatchNorms(model)) bn.SyncGroup = null;
    }

    // NamedModules starts with the model itself, so a lone BatchNorm converts too; a layer used twice counts once.
    private static IEnumerable<BatchNorm> BatchNorms(Module model) =>
        model.NamedModules().Select(m => m.Module).OfType<BatchNorm>().Distinct(ReferenceEqualityComparer.Instance).Cast<BatchNorm>();

    private sealed class CommunicatorGroup(ICommunicator comm) : IReplicaGroup
    {
        public int Replicas => comm.WorldSize;
        public void SumOverReplicas(Span<double> values) => comm.AllReduceSum(values);
    }
}
