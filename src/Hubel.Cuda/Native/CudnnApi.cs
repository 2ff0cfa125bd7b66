using System.Runtime.InteropServices;

namespace Hubel.Cuda.Native;

/// <summary>cuDNN handle management and version (cudnn_graph.h / cudnn.h, identical in cuDNN 8 and 9).
/// The convolution, pooling and normalisation descriptors come next, when a GPU is at hand to check them.</summary>
internal sealed unsafe class CudnnApi
{
    public LoadedLibrary Library { get; }
    private readonly delegate* unmanaged<nuint> _getVersion;
    private readonly delegate* unmanaged<IntPtr*, int> _create;
    private readonly delegate* unmanaged<IntPtr, int> _destroy;
    private readonly delegate* unmanaged<int, IntPtr> _getErrorString;

    public CudnnApi(LoadedLibrary library)
    {
        Library = library;
        _getVersion = (delegate* unmanaged<nuint>)library.Export("cudnnGetVersion");
        _create = (delegate* unmanaged<IntPtr*, int>)library.Export("cudnnCreate");
        _destroy = (delegate* unmanaged<IntPtr, int>)library.Export("cudnnDestroy");
        _getErrorString = (delegate* unmanaged<int, IntPtr>)library.Export("cudnnGetErrorString");
    }

    /// <summary>cuDNN's version as major*10000 + minor*100 + patch (9.x) or major*1000 + minor*100 + patch (8.x).</summary>
    public long Version() => (long)_getVersion();

    public IntPtr Create()
    {
        IntPtr h;
        int status = _create(&h);
        if (status != 0) throw new CudaException("cuDNN", "cudnnCreate", status, Marshal.PtrToStringAnsi(_getErrorString(status)) ?? "unknown");
        return h;
    }

    public int Destroy(IntPtr handle) => _destroy(handle);
}
