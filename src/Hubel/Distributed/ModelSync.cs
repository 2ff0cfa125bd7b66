using System.Runtime.InteropServices;
using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Distributed;

/// <summary>Keeps the replicas of a model the same on every rank, and checks that they are.</summary>
public static class ModelSync
{
    /// <summary>Copies <paramref name="root"/>'s parameters and buffers to every rank: float32 weights, and float64
    /// buffers such as batch norm's num_batches_tracked, sent as their bytes.</summary>
    public static void Broadcast(ICommunicator comm, Module model, int root)
    {
        ArgumentNullException.ThrowIfNull(comm); ArgumentNullException.ThrowIfNull(model);
        foreach (var (name, t) in model.NamedState())
        {
            if (!t.IsContiguous)
                throw new ArgumentException($"'{name}' is not contiguous; distributed training broadcasts contiguous state", nameof(model));
            if (t.DType == DType.Float32) comm.Broadcast(t.Span<float>(), root);
            else if (t.DType == DType.Float64) comm.Broadcast(MemoryMarshal.AsBytes(t.Span<double>()), root);
            else throw new ArgumentException($"'{name}' is {t.DType}; distributed training broadcasts float32 and float64 state", nameof(model));
        }
    }

    /// <summary>Replaces every float32 buffer (batch norm's running mean and variance) with its mean over the ranks.
    /// Without synchronised batch norm each rank's running statistics follow only its own shards, so the ranks would
    /// evaluate differently and the saved model (rank 0's) would know a fraction of the data; PyTorch's DDP copies
    /// rank 0's buffers instead, which keeps the ranks equal but still drops the other ranks' statistics. Float64
    /// buffers (counters such as num_batches_tracked) advance equally on every rank and are left as they are.</summary>
    public static void AverageBuffers(ICommunicator comm, Module model)
    {
        ArgumentNullException.ThrowIfNull(comm); ArgumentNullException.ThrowIfNull(model);
        if (comm.WorldSize == 1) return;
        float scale = 1f / comm.WorldSize;
        foreach (var (name, t) in model.NamedBuffers())
        {
            if (t.DType != DType.Float32) continue;
            if (!t.IsContiguous)
                throw new ArgumentException($"'{name}' is not contiguous; distributed training averages contiguous buffers", nameof(model));
            var values = t.Span<float>();
            comm.AllReduceSum(values);
            System.Numerics.Tensors.TensorPrimitives.Multiply(values, scale, values);
        }
    }

    /// <summary>True when every rank's parameters are bitwise identical. Compares a 64-bit hash of the weights,
    /// split into 16-bit pieces: over N ranks, N·Σh² = (Σh)² for each piece only when all ranks agree, and the
    /// sums stay exact in doubles.</summary>
    public static bool WeightsIdentical(ICommunicator comm, Module model)
    {
        ArgumentNullException.ThrowIfNull(comm); ArgumentNullException.ThrowIfNull(model);
        ulong h = 14695981039346656037UL;   // FNV-1a over 32-bit words: any changed bit changes the hash
        foreach (var p in model.Parameters())
            foreach (uint word in MemoryMarshal.Cast<float, uint>(p.Contiguous().Span<float>()))
                h = unchecked((h ^ word) * 1099511628211UL);
        Span<double> sums = stackalloc double[8];
        for (int k = 0; k < 4; k++)
        {
            double piece = (h >> (16 * k)) & 0xFFFF;
            sums[k] = piece;
            sums[4 + k] = piece * piece;
        }
        comm.AllReduceSum(sums);
        for (int k = 0; k < 4; k++)
            if (comm.WorldSize * sums[4 + k] != sums[k] * sums[k]) return false;
        return true;
    }
}
