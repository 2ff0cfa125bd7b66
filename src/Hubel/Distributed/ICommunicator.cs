namespace Hubel.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over a fixed group of <see cref="WorldSize"/> processes
/// numbered 0..WorldSize-1. Every process must call the same collectives in the same order (as in MPI);
/// implementations: <see cref="SingleProcessCommunicator"/> (no-op), <see cref="MpiCommunicator"/> (Open MPI),
/// and <see cref="NcclCommunicator"/> for buffers in GPU memory.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's number, 0 ≤ Rank &lt; WorldSize; rank 0 writes logs and checkpoints.</summary>
    int Rank { get; }

    /// <summary>Number of processes in the group.</summary>
    int WorldSize { get; }

    /// <summary>Short name for logs: "single", "mpi".</summary>
    string Name { get; }

    /// <summary>Replaces every element with its sum over all ranks (blocking); every rank gets the same result.</summary>
    void AllReduceSum(Span<float> buffer);

    /// <inheritdoc cref="AllReduceSum(Span{float})"/>
    void AllReduceSum(Span<double> buffer);

    /// <summary>Starts an in-place sum over all ranks and returns at once, so that work (the rest of the backward
    /// pass) can run while the data moves. The buffer must not be touched until the request completes.</summary>
    IReduceRequest StartAllReduceSum(Memory<float> buffer);

    /// <summary>Copies <paramref name="root"/>'s buffer into every other rank's buffer.</summary>
    void Broadcast(Span<float> buffer, int root);

    /// <inheritdoc cref="Broadcast(Span{float}, int)"/>
    void Broadcast(Span<byte> buffer, int root);

    /// <summary>Returns when every rank has reached it.</summary>
    void Barrier();

    /// <summary>Stops every process of the group with <paramref name="exitCode"/> (after an unrecoverable error on
    /// one rank, so that the others do not wait forever in a collective).</summary>
    void Abort(int exitCode);
}

/// <summary>An all-reduce in flight.</summary>
public interface IReduceRequest
{
    /// <summary>Drives the transfer forward without blocking; true once it is complete.</summary>
    bool Test();

    /// <summary>Blocks until the transfer is complete.</summary>
    void Wait();
}
