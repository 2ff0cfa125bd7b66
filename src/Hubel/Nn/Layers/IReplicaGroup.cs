namespace Hubel.Nn.Layers;

/// <summary>The replicas of a data-parallel model (one per process) as synchronised batch norm sees them: a way to sum
/// numbers over all of them. Hubel.Distributed provides it over a communicator (<c>SyncBatchNorm.Convert</c>).</summary>
public interface IReplicaGroup
{
    /// <summary>Number of replicas, ≥ 1.</summary>
    int Replicas { get; }

    /// <summary>Replaces every element by its sum over all replicas (blocking). Every replica must make the same calls
    /// in the same order.</summary>
    void SumOverReplicas(Span<double> values);
}
