namespace Hubel.Distributed;

/// <summary>A group of one: every collective leaves the data as it is. Lets the distributed training loop run
/// unchanged without MPI (and is what `hubel train --distributed` uses outside mpirun).</summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    public int Rank => 0;
    public int WorldSize => 1;
    public string Name => "single";

    public void AllReduceSum(Span<float> buffer) { }
    public void AllReduceSum(Span<double> buffer) { }
    public IReduceRequest StartAllReduceSum(Memory<float> buffer) => Completed.Instance;

    public void Broadcast(Span<float> buffer, int root) => CheckRoot(root);
    public void Broadcast(Span<byte> buffer, int root) => CheckRoot(root);
    public void Barrier() { }

    public void Abort(int exitCode) => Environment.Exit(exitCode);

    public void Dispose() { }

    private static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"root must be a rank in [0, 1); got {root}");
    }

    private sealed class Completed : IReduceRequest
    {
        public static readonly Completed Instance = new();
        public bool Test() => true;
        public void Wait() { }
    }
}
