using System.Diagnostics;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Distributed;

/// <summary>
/// Averages parameter gradients over all ranks, as PyTorch's DistributedDataParallel does: parameters are grouped in
/// buckets of about <c>bucketBytes</c> in reverse registration order (the order backward finishes them); when every
/// gradient of a bucket is ready during backward, the bucket is copied into one flat buffer and its all-reduce starts,
/// while backward goes on with earlier layers. Buckets start strictly in order, so every rank issues the same
/// collectives in the same sequence. Use: <c>using (reducer.Backward()) loss.Backward(); reducer.Finish();</c>.
/// </summary>
public sealed class GradientReducer
{
    private readonly ICommunicator _comm;
    private readonly Tensor[] _parameters;
    private readonly Dictionary<Tensor, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly int[] _bucketOf;           // parameter -> bucket
    private readonly List<int[]> _buckets = []; // bucket -> parameter indices
    private readonly float[][] _buffers;        // pinned flat buffers, one per bucket
    private readonly int[] _pending;            // per bucket: gradients not yet ready this step
    private readonly IReduceRequest?[] _requests;
    private int _nextToLaunch;

    /// <param name="overlap">false: all-reduce every bucket after backward, blocking (for measuring what overlap hides).</param>
    public GradientReducer(ICommunicator comm, IReadOnlyList<Tensor> parameters, int bucketBytes = 1 << 20, bool overlap = true)
    {
        _comm = comm ?? throw new ArgumentNullException(nameof(comm));
        ArgumentNullException.ThrowIfNull(parameters);
        if (bucketBytes < 4) throw new ArgumentOutOfRangeException(nameof(bucketBytes), $"bucket size must be >= 4 bytes; got {bucketBytes}");
        // Frozen parameters (RequiresGrad false, e.g. a static embedding) never get a gradient; giving them a zero one
        // here would let the optimiser's weight decay and momentum move them, so they are left out.
        _parameters = [.. parameters.Where(p => p.RequiresGrad)];
        if (_parameters.Length == 0) throw new ArgumentException("no trainable parameters to synchronise", nameof(parameters));
        _bucketOf = new int[_parameters.Length];
        var current = new List<int>();
        long bytes = 0;
        for (int i = _parameters.Length - 1; i >= 0; i--)
        {
            var p = _parameters[i];
            if (p.DType != DType.Float32) throw new ArgumentException($"parameter {i} is {p.DType}; distributed training all-reduces float32 gradients", nameof(parameters));
            if (!_index.TryAdd(p, i)) throw new ArgumentException($"parameter {i} appears twice", nameof(parameters));
            current.Add(i);
            bytes += 4L * p.Numel;
            if (bytes >= bucketBytes) { _buckets.Add([.. current]); current.Clear(); bytes = 0; }
        }
        if (current.Count > 0) _buckets.Add([.. current]);
        for (int b = 0; b < _buckets.Count; b++) foreach (int i in _buckets[b]) _bucketOf[i] = b;
        _buffers = _buckets.Select(b => GC.AllocateArray<float>(b.Sum(i => _parameters[i].Numel), pinned: true)).ToArray();
        _pending = new int[_buckets.Count];
        _requests = new IReduceRequest?[_buckets.Count];
        Overlap = overlap;
    }

    public bool Overlap { get; }

    /// <summary>Number of buckets (and of all-reduces per step).</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>Seconds spent after backward waiting for all-reduces to finish (all of the communication when
    /// <see cref="Overlap"/> is false; only the part not hidden behind backward when it is true). Reset by the caller.</summary>
    public double ExposedSeconds { get; set; }

    /// <summary>Starts a step: gradients that become ready inside the returned scope are sent at once.</summary>
    public IDisposable Backward()
    {
        for (int b = 0; b < _buckets.Count; b++) { _pending[b] = _buckets[b].Length; _requests[b] = null; }
        _nextToLaunch = 0;
        return Overlap ? BackwardHooks.OnLeafGradientReady(OnGradientReady) : new NoScope();
    }

    /// <summary>Sends what is still unsent (unused parameters count as zero gradients), waits for everything and
    /// replaces each gradient by the mean over ranks.</summary>
    public void Finish()
    {
        var clock = Stopwatch.StartNew();
        while (_nextToLaunch < _buckets.Count) Launch(_nextToLaunch++);
        for (int b = 0; b < _buckets.Count; b++) _requests[b]!.Wait();
        ExposedSeconds += clock.Elapsed.TotalSeconds;
        float scale = 1f / _comm.WorldSize;
        for (int b = 0; b < _buckets.Count; b++)
        {
            var buffer = _buffers[b].AsSpan();
            int offset = 0;
            foreach (int i in _buckets[b])
            {
                var p = _parameters[i];
                if (p.Grad is not { IsContiguous: true, DType: DType.Float32 }) p.Grad = Tensor.ZerosLike(p);
                var target = p.Grad.Span<float>();
                System.Numerics.Tensors.TensorPrimitives.Multiply(buffer.Slice(offset, p.Numel), scale, target);
                offset += p.Numel;
            }
        }
    }

    private void OnGradientReady(Tensor leaf)
    {
        if (!_index.TryGetValue(leaf, out int i)) return;   // a leaf that is not a parameter (an input needing grad)
        _pending[_bucketOf[i]]--;
        while (_nextToLaunch < _buckets.Count && _pending[_nextToLaunch] == 0) Launch(_nextToLaunch++);
        for (int b = 0; b < _nextToLaunch; b++) _requests[b]!.Test();   // MPI progresses only inside MPI calls
    }

    private void Launch(int b)
    {
        var buffer = _buffers[b];
        int offset = 0;
        foreach (int i in _buckets[b])
        {
            var p = _parameters[i];
            var slice = buffer.AsSpan(offset, p.Numel);
            if (p.Grad is { } g) g.Contiguous().Span<float>().CopyTo(slice);
            else slice.Clear();
            offset += p.Numel;
        }
        _requests[b] = _comm.StartAllReduceSum(buffer);
    }

    private sealed class NoScope : IDisposable { public void Dispose() { } }
}
