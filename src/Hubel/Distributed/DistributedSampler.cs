using Hubel.Tensors;

namespace Hubel.Distributed;

/// <summary>
/// Which examples each rank trains on. Every epoch draws one permutation of the whole set from a generator seeded by
/// (seed, epoch), identical on every rank; global batch b is the slice [b·B, (b+1)·B) of it, and rank r takes the
/// r-th of its WorldSize equal parts. So the ranks' shards are disjoint, each step of N ranks sees exactly the images
/// one process with batch B would see, and the schedule does not depend on N (a run can resume with another N).
/// The last incomplete global batch is dropped, so every rank makes the same number of steps.
/// </summary>
public sealed class DistributedSampler
{
    /// <param name="count">examples in the data set.</param>
    /// <param name="globalBatchSize">images per step summed over all ranks; a multiple of <paramref name="worldSize"/>.</param>
    /// <param name="worldSize">number of ranks, ≥ 1.</param>
    /// <param name="rank">this rank, in [0, worldSize).</param>
    /// <param name="seed">fixes the order of every epoch.</param>
    /// <param name="shuffle">false keeps file order (evaluation).</param>
    public DistributedSampler(int count, int globalBatchSize, int worldSize, int rank, ulong seed, bool shuffle = true)
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), $"world size must be >= 1; got {worldSize}");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), $"rank must be in [0, {worldSize}); got {rank}");
        if (globalBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(globalBatchSize), $"global batch size must be >= 1; got {globalBatchSize}");
        if (globalBatchSize % worldSize != 0)
            throw new ArgumentException($"global batch size {globalBatchSize} must be a multiple of the number of ranks {worldSize}, so every rank gets the same share", nameof(globalBatchSize));
        if (count < globalBatchSize)
            throw new ArgumentOutOfRangeException(nameof(count), $"the data set has {count} examples, fewer than one global batch of {globalBatchSize}");
        Count = count; GlobalBatchSize = globalBatchSize; WorldSize = worldSize; Rank = rank; Seed = seed; Shuffle = shuffle;
    }

    public int Count { get; }
    public int GlobalBatchSize { get; }
    public int WorldSize { get; }
    public int Rank { get; }
    public ulong Seed { get; }
    public bool Shuffle { get; }

    /// <summary>Images per step on this rank: GlobalBatchSize / WorldSize.</summary>
    public int LocalBatchSize => GlobalBatchSize / WorldSize;

    /// <summary>Steps per epoch, the same on every rank.</summary>
    public int StepsPerEpoch => Count / GlobalBatchSize;

    /// <summary>The order of all examples in <paramref name="epoch"/> (the same on every rank).</summary>
    public int[] EpochOrder(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (!Shuffle) return Enumerable.Range(0, Count).ToArray();
        // Rng seeds through SplitMix64, so nearby (seed, epoch) pairs still give unrelated streams.
        return new Rng(unchecked(Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch + 1)).Permutation(Count);
    }

    /// <summary>This rank's example indices for each step of <paramref name="epoch"/>.</summary>
    public IEnumerable<int[]> LocalBatches(int epoch)
    {
        var order = EpochOrder(epoch);
        int local = LocalBatchSize;
        for (int step = 0; step < StepsPerEpoch; step++)
            yield return order.AsSpan(step * GlobalBatchSize + Rank * local, local).ToArray();
    }
}
