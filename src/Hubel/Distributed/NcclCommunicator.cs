namespace Hubel.Distributed;

/// <summary>
/// NCCL over the GPUs of a group already joined through another communicator (normally MPI), which carries NCCL's
/// rendezvous token from rank 0 to the others. Each rank uses GPU (local rank mod device count).
/// <see cref="AllReduceSumDevice"/> works on buffers already in GPU memory (the fast path for GPU tensors);
/// the <see cref="ICommunicator"/> methods stage host buffers through GPU memory, so that the same training loop
/// runs on it. Written against NCCL 2.x; no GPU was available while it was written, so only its
/// missing-library path is tested (docs/SCALING.md lists what remains to run on a GPU machine).
/// </summary>
public sealed unsafe class NcclCommunicator : ICommunicator
{
    private readonly NcclNative _nccl;
    private readonly ICommunicator _bootstrap;
    private IntPtr _comm;
    private IntPtr _stream;

    private NcclCommunicator(NcclNative nccl, ICommunicator bootstrap, int localRank)
    {
        _nccl = nccl;
        _bootstrap = bootstrap;
        int devices = 0;
        nccl.CheckCuda(nccl.CudaGetDeviceCount(&devices), "cudaGetDeviceCount");
        if (devices < 1) throw new InvalidOperationException("NCCL needs a CUDA GPU; cudaGetDeviceCount found none");
        Device = localRank % devices;
        nccl.CheckCuda(nccl.CudaSetDevice(Device), "cudaSetDevice");
        var id = new NcclUniqueId();
        if (bootstrap.Rank == 0) nccl.Check(nccl.GetUniqueId(&id), "ncclGetUniqueId");
        bootstrap.Broadcast(new Span<byte>(id.Internal, NcclUniqueId.Size), root: 0);
        IntPtr comm = IntPtr.Zero, stream = IntPtr.Zero;
        nccl.Check(nccl.CommInitRank(&comm, bootstrap.WorldSize, id, bootstrap.Rank), "ncclCommInitRank");
        _comm = comm;
        nccl.CheckCuda(nccl.CudaStreamCreate(&stream), "cudaStreamCreate");
        _stream = stream;
    }

    /// <summary>Loads NCCL and the CUDA runtime and joins the group of <paramref name="bootstrap"/>.
    /// Throws <see cref="DllNotFoundException"/> saying what to install when either library is missing.</summary>
    public static NcclCommunicator Create(ICommunicator bootstrap, int? localRank = null,
        IReadOnlyList<string>? ncclCandidates = null, IReadOnlyList<string>? cudaCandidates = null)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        var native = NcclNative.Load(ncclCandidates, cudaCandidates);
        int local = localRank ?? (int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK"), out var r) ? r : bootstrap.Rank);
        if (local < 0) throw new ArgumentOutOfRangeException(nameof(localRank), $"local rank must be >= 0; got {local}");
        return new NcclCommunicator(native, bootstrap, local);
    }

    public int Rank => _bootstrap.Rank;
    public int WorldSize => _bootstrap.WorldSize;
    public string Name => "nccl";

    /// <summary>The CUDA device this rank uses.</summary>
    public int Device { get; }

    /// <summary>In-place sum of <paramref name="count"/> float32 values at a device address, queued on
    /// <paramref name="stream"/> (0: this communicator's stream); the caller synchronises the stream.</summary>
    public void AllReduceSumDevice(IntPtr deviceBuffer, long count, IntPtr stream = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _nccl.Check(_nccl.AllReduce((void*)deviceBuffer, (void*)deviceBuffer, (nuint)count, NcclNative.Float32, NcclNative.Sum, _comm,
            stream == 0 ? _stream : stream), "ncclAllReduce");
    }

    public void AllReduceSum(Span<float> buffer) { fixed (float* p = buffer) Staged(p, buffer.Length, sizeof(float), NcclNative.Float32, root: -1); }
    public void AllReduceSum(Span<double> buffer) { fixed (double* p = buffer) Staged(p, buffer.Length, sizeof(double), NcclNative.Float64, root: -1); }

    /// <summary>Stages the host buffer on the GPU, queues the all-reduce and returns; completion is polled with
    /// cudaStreamQuery and copies the result back.</summary>
    public IReduceRequest StartAllReduceSum(Memory<float> buffer)
    {
        var pin = buffer.Pin();
        nuint bytes = (nuint)buffer.Length * sizeof(float);
        void* device = null;
        _nccl.CheckCuda(_nccl.CudaMalloc(&device, Math.Max(bytes, 1)), "cudaMalloc");
        _nccl.CheckCuda(_nccl.CudaMemcpy(device, pin.Pointer, bytes, NcclNative.MemcpyHostToDevice), "cudaMemcpy");
        _nccl.Check(_nccl.AllReduce(device, device, (nuint)buffer.Length, NcclNative.Float32, NcclNative.Sum, _comm, _stream), "ncclAllReduce");
        return new Request(this, pin, (IntPtr)device, bytes);
    }

    public void Broadcast(Span<float> buffer, int root) { CheckRoot(root); fixed (float* p = buffer) Staged(p, buffer.Length, sizeof(float), NcclNative.Float32, root); }
    public void Broadcast(Span<byte> buffer, int root) { CheckRoot(root); fixed (byte* p = buffer) Staged(p, buffer.Length, 1, NcclNative.Uint8, root); }

    public void Barrier()
    {
        Span<float> token = [0f];
        AllReduceSum(token);
    }

    public void Abort(int exitCode)
    {
        if (_comm != 0) _nccl.CommAbort(_comm);
        _comm = 0;
        _bootstrap.Abort(exitCode);
    }

    public void Dispose()
    {
        if (_stream != 0) { _nccl.CudaStreamSynchronize(_stream); _nccl.CudaStreamDestroy(_stream); _stream = 0; }
        if (_comm != 0) { _nccl.CommDestroy(_comm); _comm = 0; }
    }

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= WorldSize) throw new ArgumentOutOfRangeException(nameof(root), $"root must be a rank in [0, {WorldSize}); got {root}");
    }

    /// <summary>Host → device, all-reduce (root &lt; 0) or broadcast from root, device → host, synchronously.</summary>
    private void Staged(void* host, int count, int elementSize, int dataType, int root)
    {
        ObjectDisposedException.ThrowIf(_comm == 0, this);
        nuint bytes = (nuint)count * (nuint)elementSize;
        void* device = null;
        _nccl.CheckCuda(_nccl.CudaMalloc(&device, Math.Max(bytes, 1)), "cudaMalloc");
        try
        {
            _nccl.CheckCuda(_nccl.CudaMemcpy(device, host, bytes, NcclNative.MemcpyHostToDevice), "cudaMemcpy");
            if (root < 0) _nccl.Check(_nccl.AllReduce(device, device, (nuint)count, dataType, NcclNative.Sum, _comm, _stream), "ncclAllReduce");
            else _nccl.Check(_nccl.Broadcast(device, device, (nuint)count, dataType, root, _comm, _stream), "ncclBroadcast");
            _nccl.CheckCuda(_nccl.CudaStreamSynchronize(_stream), "cudaStreamSynchronize");
            _nccl.CheckCuda(_nccl.CudaMemcpy(host, device, bytes, NcclNative.MemcpyDeviceToHost), "cudaMemcpy");
        }
        finally { _nccl.CudaFree(device); }
    }

    private sealed class Request(NcclCommunicator owner, System.Buffers.MemoryHandle pin, IntPtr device, nuint bytes) : IReduceRequest
    {
        private System.Buffers.MemoryHandle _pin = pin;
        private bool _done;

        public bool Test()
        {
            if (_done) return true;
            int state = owner._nccl.CudaStreamQuery(owner._stream);
            if (state == NcclNative.CudaErrorNotReady) return false;
            owner._nccl.CheckCuda(state, "cudaStreamQuery");
            Complete();
            return true;
        }

        public void Wait()
        {
            if (_done) return;
            owner._nccl.CheckCuda(owner._nccl.CudaStreamSynchronize(owner._stream), "cudaStreamSynchronize");
            Complete();
        }

        private void Complete()
        {
            _done = true;
            try { owner._nccl.CheckCuda(owner._nccl.CudaMemcpy(_pin.Pointer, (void*)device, bytes, NcclNative.MemcpyDeviceToHost), "cudaMemcpy"); }
            finally { owner._nccl.CudaFree((void*)device); _pin.Dispose(); }
        }
    }
}
