using System.Buffers;

namespace Hubel.Distributed;

/// <summary>
/// MPI_COMM_WORLD of Open MPI, for processes started by `mpirun -np N`. Initialises MPI with
/// MPI_THREAD_FUNNELED: only the thread that created the communicator may call it (the training loop's thread;
/// the CPU kernels' worker threads never do). Non-blocking all-reduces progress whenever that thread calls
/// <see cref="IReduceRequest.Test"/>, which the gradient reducer does from inside the backward pass.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    private readonly MpiNative _mpi;
    private readonly int _ownerThread;
    private bool _disposed;

    private MpiCommunicator(MpiNative mpi)
    {
        _mpi = mpi;
        _ownerThread = Environment.CurrentManagedThreadId;
        int initialized = 0, provided = 0, rank = 0, size = 0;
        mpi.Check(mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0) mpi.Check(mpi.InitThread(null, IntPtr.Zero, MpiNative.ThreadFunneled, &provided), "MPI_Init_thread");
        else provided = MpiNative.ThreadFunneled;
        ProvidedThreadLevel = provided;
        mpi.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        mpi.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        Rank = rank;
        WorldSize = size;
    }

    /// <summary>Loads libmpi (from <paramref name="libraryCandidates"/>, default Open MPI's names), initialises MPI
    /// and joins MPI_COMM_WORLD. Throws <see cref="DllNotFoundException"/> saying what to install when libmpi is missing.</summary>
    public static MpiCommunicator Create(IReadOnlyList<string>? libraryCandidates = null) => new(MpiNative.Load(libraryCandidates));

    /// <summary>True when this process was started by Open MPI's mpirun (its launcher sets these variables).</summary>
    public static bool LaunchedByMpirun =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 } || Environment.GetEnvironmentVariable("PMIX_RANK") is { Length: > 0 };

    public int Rank { get; }
    public int WorldSize { get; }
    public string Name => "mpi";

    /// <summary>The thread level MPI granted (0 single, 1 funneled, 2 serialized, 3 multiple).</summary>
    public int ProvidedThreadLevel { get; }

    /// <summary>The libmpi file that was loaded.</summary>
    public string LibraryName => _mpi.LibraryName;

    public void AllReduceSum(Span<float> buffer)
    {
        Enter();
        fixed (float* p = buffer)
            _mpi.Check(_mpi.Allreduce(MpiNative.InPlace, p, buffer.Length, _mpi.Float, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce");
    }

    public void AllReduceSum(Span<double> buffer)
    {
        Enter();
        fixed (double* p = buffer)
            _mpi.Check(_mpi.Allreduce(MpiNative.InPlace, p, buffer.Length, _mpi.Double, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce");
    }

    public IReduceRequest StartAllReduceSum(Memory<float> buffer)
    {
        Enter();
        int count = buffer.Length;
        var pin = buffer.Pin();
        IntPtr request = IntPtr.Zero;
        int code = _mpi.Iallreduce(MpiNative.InPlace, pin.Pointer, count, _mpi.Float, _mpi.OpSum, _mpi.CommWorld, &request);
        if (code != MpiNative.Success) pin.Dispose();
        _mpi.Check(code, "MPI_Iallreduce");
        return new Request(this, request, pin);
    }

    public void Broadcast(Span<float> buffer, int root)
    {
        Enter(root);
        fixed (float* p = buffer)
            _mpi.Check(_mpi.Bcast(p, buffer.Length, _mpi.Float, root, _mpi.CommWorld), "MPI_Bcast");
    }

    public void Broadcast(Span<byte> buffer, int root)
    {
        Enter(root);
        fixed (byte* p = buffer)
            _mpi.Check(_mpi.Bcast(p, buffer.Length, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast");
    }

    public void Barrier()
    {
        Enter();
        _mpi.Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");
    }

    public void Abort(int exitCode) => _mpi.Abort(_mpi.CommWorld, exitCode);

    /// <summary>Calls MPI_Finalize (once; MPI cannot be initialised again in this process).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int finalized = 0;
        _mpi.Finalized(&finalized);
        if (finalized == 0) _mpi.Finalize();
    }

    private void Enter(int root = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Environment.CurrentManagedThreadId != _ownerThread && ProvidedThreadLevel < 2)
            throw new InvalidOperationException("MPI was initialised with MPI_THREAD_FUNNELED: call the communicator from the thread that created it");
        if (root < 0 || root >= WorldSize) throw new ArgumentOutOfRangeException(nameof(root), $"root must be a rank in [0, {WorldSize}); got {root}");
    }

    private sealed class Request(MpiCommunicator owner, IntPtr request, MemoryHandle pin) : IReduceRequest
    {
        private IntPtr _request = request;
        private MemoryHandle _pin = pin;
        private bool _done;

        public bool Test()
        {
            if (_done) return true;
            owner.Enter();
            int flag = 0;
            IntPtr r = _request;
            owner._mpi.Check(owner._mpi.Test(&r, &flag, IntPtr.Zero), "MPI_Test");
            _request = r;
            if (flag != 0) Complete();
            return _done;
        }

        public void Wait()
        {
            if (_done) return;
            owner.Enter();
            IntPtr r = _request;
            owner._mpi.Check(owner._mpi.Wait(&r, IntPtr.Zero), "MPI_Wait");
            _request = r;
            Complete();
        }

        private void Complete()
        {
            _done = true;
            _pin.Dispose();
        }
    }
}
