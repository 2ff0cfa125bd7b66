using System.Runtime.InteropServices;

namespace Hubel.Cuda.Native;

/// <summary>
/// The slice of the CUDA runtime API Hubel calls, bound through function pointers (AOT-safe, no DllImport of
/// a fixed file name). Signatures follow cuda_runtime_api.h; every call returns a cudaError_t (0 = success).
/// </summary>
internal sealed unsafe class CudaRuntimeApi
{
    public const int MemcpyHostToDevice = 1, MemcpyDeviceToHost = 2, MemcpyDeviceToDevice = 3;
    public const int AttrMultiProcessorCount = 16, AttrComputeCapabilityMajor = 75, AttrComputeCapabilityMinor = 76;

    public LoadedLibrary Library { get; }
    private readonly delegate* unmanaged<int*, int> _getDeviceCount;
    private readonly delegate* unmanaged<int, int> _setDevice;
    private readonly delegate* unmanaged<int*, int, int, int> _deviceGetAttribute;
    private readonly delegate* unmanaged<int*, int> _runtimeGetVersion;
    private readonly delegate* unmanaged<int*, int> _driverGetVersion;
    private readonly delegate* unmanaged<IntPtr*, nuint, int> _malloc;
    private readonly delegate* unmanaged<IntPtr, int> _free;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int> _memcpy;
    private readonly delegate* unmanaged<int> _deviceSynchronize;
    private readonly delegate* unmanaged<IntPtr*, int> _streamCreate;
    private readonly delegate* unmanaged<IntPtr, int> _streamDestroy;
    private readonly delegate* unmanaged<IntPtr, int> _streamSynchronize;
    private readonly delegate* unmanaged<int, IntPtr> _getErrorString;

    public CudaRuntimeApi(LoadedLibrary library)
    {
        Library = library;
        _getDeviceCount = (delegate* unmanaged<int*, int>)library.Export("cudaGetDeviceCount");
        _setDevice = (delegate* unmanaged<int, int>)library.Export("cudaSetDevice");
        _deviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)library.Export("cudaDeviceGetAttribute");
        _runtimeGetVersion = (delegate* unmanaged<int*, int>)library.Export("cudaRuntimeGetVersion");
        _driverGetVersion = (delegate* unmanaged<int*, int>)library.Export("cudaDriverGetVersion");
        _malloc = (delegate* unmanaged<IntPtr*, nuint, int>)library.Export("cudaMalloc");
        _free = (delegate* unmanaged<IntPtr, int>)library.Export("cudaFree");
        _memcpy = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int>)library.Export("cudaMemcpy");
        _deviceSynchronize = (delegate* unmanaged<int>)library.Export("cudaDeviceSynchronize");
        _streamCreate = (delegate* unmanaged<IntPtr*, int>)library.Export("cudaStreamCreate");
        _streamDestroy = (delegate* unmanaged<IntPtr, int>)library.Export("cudaStreamDestroy");
        _streamSynchronize = (delegate* unmanaged<IntPtr, int>)library.Export("cudaStreamSynchronize");
        _getErrorString = (delegate* unmanaged<int, IntPtr>)library.Export("cudaGetErrorString");
    }

    public int DeviceCount() { int n; Check(_getDeviceCount(&n), "cudaGetDeviceCount"); return n; }
    public void SetDevice(int ordinal) => Check(_setDevice(ordinal), "cudaSetDevice");
    public int Attribute(int attribute, int device) { int v; Check(_deviceGetAttribute(&v, attribute, device), "cudaDeviceGetAttribute"); return v; }
    public int RuntimeVersion() { int v; Check(_runtimeGetVersion(&v), "cudaRuntimeGetVersion"); return v; }
    public int DriverVersion() { int v; Check(_driverGetVersion(&v), "cudaDriverGetVersion"); return v; }
    public IntPtr Malloc(nuint bytes) { IntPtr p; Check(_malloc(&p, bytes), "cudaMalloc"); return p; }
    public int Free(IntPtr pointer) => _free(pointer);
    public void Memcpy(IntPtr destination, IntPtr source, nuint bytes, int kind) => Check(_memcpy(destination, source, bytes, kind), "cudaMemcpy");
    public void Synchronize() => Check(_deviceSynchronize(), "cudaDeviceSynchronize");
    public IntPtr StreamCreate() { IntPtr s; Check(_streamCreate(&s), "cudaStreamCreate"); return s; }
    public int StreamDestroy(IntPtr stream) => _streamDestroy(stream);
    public void StreamSynchronize(IntPtr stream) => Check(_streamSynchronize(stream), "cudaStreamSynchronize");

    public string ErrorString(int status) => Marshal.PtrToStringAnsi(_getErrorString(status)) ?? "unknown error";

    public void Check(int status, string call)
    {
        if (status != 0) throw new CudaException("CUDA runtime", call, status, ErrorString(status));
    }
}
