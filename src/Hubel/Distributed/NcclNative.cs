using System.Runtime.InteropServices;
using Hubel.Interop;

namespace Hubel.Distributed;

/// <summary>NCCL's 128-byte rendezvous token, passed by value to ncclCommInitRank.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NcclUniqueId
{
    public const int Size = 128;
    public fixed byte Internal[Size];
}

/// <summary>
/// NCCL (libnccl.so.2) and the few CUDA runtime calls needed to stage host buffers (libcudart), resolved at run time
/// through function pointers so that Hubel builds and runs on machines without a GPU.
/// </summary>
internal sealed unsafe class NcclNative
{
    public static readonly string[] DefaultNcclCandidates = ["libnccl.so.2", "libnccl.so"];
    public static readonly string[] DefaultCudaCandidates = ["libcudart.so.12", "libcudart.so.11.0", "libcudart.so"];

    public const int Float32 = 7, Float64 = 8, Uint8 = 1, Sum = 0;
    public const int MemcpyHostToDevice = 1, MemcpyDeviceToHost = 2, CudaErrorNotReady = 600;

    public readonly delegate* unmanaged<NcclUniqueId*, int> GetUniqueId;
    public readonly delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, int> CommInitRank;
    public readonly delegate* unmanaged<void*, void*, nuint, int, int, IntPtr, IntPtr, int> AllReduce;
    public readonly delegate* unmanaged<void*, void*, nuint, int, int, IntPtr, IntPtr, int> Broadcast;
    public readonly delegate* unmanaged<IntPtr, int> CommDestroy;
    public readonly delegate* unmanaged<IntPtr, int> CommAbort;
    public readonly delegate* unmanaged<int, IntPtr> GetErrorString;

    public readonly delegate* unmanaged<int*, int> CudaGetDeviceCount;
    public readonly delegate* unmanaged<int, int> CudaSetDevice;
    public readonly delegate* unmanaged<void**, nuint, int> CudaMalloc;
    public readonly delegate* unmanaged<void*, int> CudaFree;
    public readonly delegate* unmanaged<void*, void*, nuint, int, int> CudaMemcpy;
    public readonly delegate* unmanaged<IntPtr*, int> CudaStreamCreate;
    public readonly delegate* unmanaged<IntPtr, int> CudaStreamSynchronize;
    public readonly delegate* unmanaged<IntPtr, int> CudaStreamQuery;
    public readonly delegate* unmanaged<IntPtr, int> CudaStreamDestroy;
    public readonly delegate* unmanaged<int, IntPtr> CudaGetErrorString;

    private NcclNative(LoadedLibrary nccl, LoadedLibrary cuda)
    {
        GetUniqueId = (delegate* unmanaged<NcclUniqueId*, int>)nccl.Export("ncclGetUniqueId");
        CommInitRank = (delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, int>)nccl.Export("ncclCommInitRank");
        AllReduce = (delegate* unmanaged<void*, void*, nuint, int, int, IntPtr, IntPtr, int>)nccl.Export("ncclAllReduce");
        Broadcast = (delegate* unmanaged<void*, void*, nuint, int, int, IntPtr, IntPtr, int>)nccl.Export("ncclBroadcast");
        CommDestroy = (delegate* unmanaged<IntPtr, int>)nccl.Export("ncclCommDestroy");
        CommAbort = (delegate* unmanaged<IntPtr, int>)nccl.Export("ncclCommAbort");
        GetErrorString = (delegate* unmanaged<int, IntPtr>)nccl.Export("ncclGetErrorString");
        CudaGetDeviceCount = (delegate* unmanaged<int*, int>)cuda.Export("cudaGetDeviceCount");
        CudaSetDevice = (delegate* unmanaged<int, int>)cuda.Export("cudaSetDevice");
        CudaMalloc = (delegate* unmanaged<void**, nuint, int>)cuda.Export("cudaMalloc");
        CudaFree = (delegate* unmanaged<void*, int>)cuda.Export("cudaFree");
        CudaMemcpy = (delegate* unmanaged<void*, void*, nuint, int, int>)cuda.Export("cudaMemcpy");
        CudaStreamCreate = (delegate* unmanaged<IntPtr*, int>)cuda.Export("cudaStreamCreate");
        CudaStreamSynchronize = (delegate* unmanaged<IntPtr, int>)cuda.Export("cudaStreamSynchronize");
        CudaStreamQuery = (delegate* unmanaged<IntPtr, int>)cuda.Export("cudaStreamQuery");
        CudaStreamDestroy = (delegate* unmanaged<IntPtr, int>)cuda.Export("cudaStreamDestroy");
        CudaGetErrorString = (delegate* unmanaged<int, IntPtr>)cuda.Export("cudaGetErrorString");
    }

    /// <summary>Loads NCCL first (the usual missing piece), then the CUDA runtime; each failure says what to install.</summary>
    public static NcclNative Load(IReadOnlyList<string>? ncclCandidates = null, IReadOnlyList<string>? cudaCandidates = null)
    {
        var nccl = LoadedLibrary.Load(ncclCandidates ?? DefaultNcclCandidates, "NVIDIA NCCL (libnccl)",
            "NCCL needs an NVIDIA GPU machine with libnccl2 installed (or its directory on LD_LIBRARY_PATH); on CPU-only machines use MPI.");
        var cuda = LoadedLibrary.Load(cudaCandidates ?? DefaultCudaCandidates, "the CUDA runtime (libcudart)",
            "Install the CUDA runtime that matches the NCCL build, or add its directory to LD_LIBRARY_PATH.");
        return new NcclNative(nccl, cuda);
    }

    public void Check(int code, string call)
    {
        if (code != 0)
            throw new InvalidOperationException($"{call} failed with NCCL error {code}: {Marshal.PtrToStringUTF8(GetErrorString(code)) ?? "unknown"}");
    }

    public void CheckCuda(int code, string call)
    {
        if (code != 0)
            throw new InvalidOperationException($"{call} failed with CUDA error {code}: {Marshal.PtrToStringUTF8(CudaGetErrorString(code)) ?? "unknown"}");
    }
}
