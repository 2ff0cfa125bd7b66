using Hubel.Interop;

namespace Hubel.Distributed;

/// <summary>
/// Open MPI's C API, resolved at run time from libmpi through function pointers (no reflection, AOT-safe).
/// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of global objects
/// (ompi_mpi_comm_world, ...), and MPI_IN_PLACE is the address 1; MPICH, whose handles are integers, is not supported.
/// </summary>
internal sealed unsafe class MpiNative
{
    public static readonly string[] DefaultCandidates = ["libmpi.so.40", "libmpi.so", "libmpi.so.80", "libmpi.so.12"];

    public const int Success = 0;
    public const int ThreadFunneled = 1;
    public static readonly IntPtr InPlace = 1;

    public readonly delegate* unmanaged<int*, IntPtr, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommRank;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommSize;
    public readonly delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce;
    public readonly delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int> Iallreduce;
    public readonly delegate* unmanaged<IntPtr*, int*, IntPtr, int> Test;
    public readonly delegate* unmanaged<IntPtr*, IntPtr, int> Wait;
    public readonly delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast;
    public readonly delegate* unmanaged<IntPtr, int> Barrier;
    public readonly delegate* unmanaged<IntPtr, int, int> Abort;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;

    public readonly IntPtr CommWorld, Float, Double, Byte, OpSum;

    public string LibraryName { get; }

    private MpiNative(LoadedLibrary lib)
    {
        LibraryName = lib.FileName;
        InitThread = (delegate* unmanaged<int*, IntPtr, int, int*, int>)lib.Export("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)lib.Export("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)lib.Export("MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)lib.Export("MPI_Finalize");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)lib.Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)lib.Export("MPI_Comm_size");
        Allreduce = (delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int>)lib.Export("MPI_Allreduce");
        Iallreduce = (delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int>)lib.Export("MPI_Iallreduce");
        Test = (delegate* unmanaged<IntPtr*, int*, IntPtr, int>)lib.Export("MPI_Test");
        Wait = (delegate* unmanaged<IntPtr*, IntPtr, int>)lib.Export("MPI_Wait");
        Bcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)lib.Export("MPI_Bcast");
        Barrier = (delegate* unmanaged<IntPtr, int>)lib.Export("MPI_Barrier");
        Abort = (delegate* unmanaged<IntPtr, int, int>)lib.Export("MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)lib.Export("MPI_Error_string");
        CommWorld = lib.Export("ompi_mpi_comm_world");
        Float = lib.Export("ompi_mpi_float");
        Double = lib.Export("ompi_mpi_double");
        Byte = lib.Export("ompi_mpi_byte");
        OpSum = lib.Export("ompi_mpi_op_sum");
    }

    /// <summary>Loads libmpi from the first of <paramref name="candidates"/> that exists (default: Open MPI's names).</summary>
    public static MpiNative Load(IReadOnlyList<string>? candidates = null) =>
        new(LoadedLibrary.Load(candidates ?? DefaultCandidates, "Open MPI (libmpi)",
            "Install it (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or add its directory to LD_LIBRARY_PATH."));

    /// <summary>Throws with MPI's own description when <paramref name="code"/> is not MPI_SUCCESS.</summary>
    public void Check(int code, string call)
    {
        if (code == Success) return;
        var text = new byte[512];
        int length = 0;
        fixed (byte* p = text)
            if (ErrorString(code, p, &length) != Success) length = 0;
        string why = length > 0 ? System.Text.Encoding.ASCII.GetString(text, 0, Math.Min(length, text.Length)) : "unknown error";
        throw new InvalidOperationException($"{call} failed with MPI error {code}: {why}");
    }
}
