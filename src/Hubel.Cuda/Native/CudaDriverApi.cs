using System.Text;

namespace Hubel.Cuda.Native;

/// <summary>The few driver-API calls the runtime API lacks a stable struct-free form of: device names.</summary>
internal sealed unsafe class CudaDriverApi
{
    private readonly delegate* unmanaged<uint, int> _init;
    private readonly delegate* unmanaged<int*, int, int> _deviceGet;
    private readonly delegate* unmanaged<byte*, int, int, int> _deviceGetName;

    public CudaDriverApi(LoadedLibrary library)
    {
        _init = (delegate* unmanaged<uint, int>)library.Export("cuInit");
        _deviceGet = (delegate* unmanaged<int*, int, int>)library.Export("cuDeviceGet");
        _deviceGetName = (delegate* unmanaged<byte*, int, int, int>)library.Export("cuDeviceGetName");
    }

    /// <summary>The marketing name of device <paramref name="ordinal"/>, or null when the driver refuses.</summary>
    public string? DeviceName(int ordinal)
    {
        if (_init(0) != 0) return null;
        int device;
        if (_deviceGet(&device, ordinal) != 0) return null;
        byte* name = stackalloc byte[256];
        if (_deviceGetName(name, 256, device) != 0) return null;
        int length = 0;
        while (length < 256 && name[length] != 0) length++;
        return Encoding.UTF8.GetString(name, length);
    }
}
