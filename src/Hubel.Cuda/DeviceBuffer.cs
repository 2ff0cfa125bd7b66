using System.Runtime.InteropServices;
using Hubel.Cuda.Native;

namespace Hubel.Cuda;

/// <summary>Device memory for <see cref="Length"/> floats, freed when disposed or collected (a SafeHandle, so
/// no manual Dispose is needed for correctness, only for prompt release).</summary>
public sealed class DeviceBuffer : SafeHandle
{
    private readonly CudaRuntimeApi _runtime;

    internal DeviceBuffer(CudaRuntimeApi runtime, long length) : base(IntPtr.Zero, ownsHandle: true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _runtime = runtime;
        Length = length;
        long bytes = checked(length * sizeof(float));
        SetHandle(length == 0 ? IntPtr.Zero : runtime.Malloc((nuint)bytes));
    }

    public long Length { get; }
    public IntPtr Pointer => handle;
    public override bool IsInvalid => handle == IntPtr.Zero;

    public unsafe void CopyFrom(ReadOnlySpan<float> host)
    {
        if (host.Length != Length) throw new ArgumentException($"host span holds {host.Length} floats; the buffer holds {Length}", nameof(host));
        fixed (float* p = host) _runtime.Memcpy(handle, (IntPtr)p, (nuint)(Length * sizeof(float)), CudaRuntimeApi.MemcpyHostToDevice);
    }

    public unsafe void CopyTo(Span<float> host)
    {
        if (host.Length != Length) throw new ArgumentException($"host span holds {host.Length} floats; the buffer holds {Length}", nameof(host));
        fixed (float* p = host) _runtime.Memcpy((IntPtr)p, handle, (nuint)(Length * sizeof(float)), CudaRuntimeApi.MemcpyDeviceToHost);
    }

    protected override bool ReleaseHandle() => _runtime.Free(handle) == 0;
}
