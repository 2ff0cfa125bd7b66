using Hubel.Distributed;

namespace Hubel.Tests.Distributed;

/// <summary>A pretend communicator for single-process tests: every collective fails loudly unless the test overrides
/// the one it expects, so a test notices when code calls a collective it did not plan for.</summary>
internal abstract class StubCommunicator(int rank, int worldSize, string name) : ICommunicator
{
    public int Rank => rank;
    public int WorldSize => worldSize;
    public string Name => name;
    public virtual void AllReduceSum(Span<float> buffer) => throw new NotSupportedException($"{name}: float all-reduce");
    public virtual void AllReduceSum(Span<double> buffer) => throw new NotSupportedException($"{name}: double all-reduce");
    public virtual IReduceRequest StartAllReduceSum(Memory<float> buffer) => throw new NotSupportedException($"{name}: started all-reduce");
    public virtual void Broadcast(Span<float> buffer, int root) => throw new NotSupportedException($"{name}: float broadcast");
    public virtual void Broadcast(Span<byte> buffer, int root) => throw new NotSupportedException($"{name}: byte broadcast");
    public void Barrier() { }
    public void Abort(int exitCode) { }
    public void Dispose() { }
}
