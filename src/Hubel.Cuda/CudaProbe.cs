using Hubel.Cuda.Native;

namespace Hubel.Cuda;

/// <summary>One GPU as the runtime reports it.</summary>
public sealed record CudaDeviceInfo(int Ordinal, string Name, int ComputeMajor, int ComputeMinor, int Multiprocessors);

/// <summary>What this machine offers for the GPU backend; <see cref="Reason"/> says why not when it offers nothing.</summary>
public sealed record CudaReport(
    bool Available, string? Reason, IReadOnlyList<CudaDeviceInfo> Devices, IReadOnlyDictionary<string, string> Libraries,
    int RuntimeVersion, int DriverVersion, long CudnnVersion);

/// <summary>Looks for the driver, the CUDA libraries and GPUs without ever throwing: `hubel device` prints this.</summary>
public static class CudaProbe
{
    public static CudaReport Run()
    {
        var found = new Dictionary<string, string>();
        var missing = new List<string>();
        foreach (var component in NativeLibraries.Candidates.Keys)
        {
            try { found[component] = NativeLibraries.Load(component).FileName; }
            catch (CudaUnavailableException e) { missing.Add(e.Message); }
        }
        if (!found.ContainsKey("CUDA runtime") || !found.ContainsKey("cuBLAS"))
            return new CudaReport(false, string.Join(Environment.NewLine, missing), [], found, 0, 0, 0);
        try
        {
            var runtime = new CudaRuntimeApi(NativeLibraries.Load("CUDA runtime"));
            int count;
            try { count = runtime.DeviceCount(); }
            catch (CudaException e) { return new CudaReport(false, $"no usable GPU: {e.Message}", [], found, 0, 0, 0); }
            CudaDriverApi? driver = found.ContainsKey("CUDA driver") ? new CudaDriverApi(NativeLibraries.Load("CUDA driver")) : null;
            var devices = new List<CudaDeviceInfo>();
            for (int i = 0; i < count; i++)
                devices.Add(new CudaDeviceInfo(i, driver?.DeviceName(i) ?? $"GPU {i}",
                    runtime.Attribute(CudaRuntimeApi.AttrComputeCapabilityMajor, i), runtime.Attribute(CudaRuntimeApi.AttrComputeCapabilityMinor, i),
                    runtime.Attribute(CudaRuntimeApi.AttrMultiProcessorCount, i)));
            long cudnn = found.ContainsKey("cuDNN") ? new CudnnApi(NativeLibraries.Load("cuDNN")).Version() : 0;
            return new CudaReport(count > 0, count > 0 ? null : "the CUDA runtime found no GPU", devices, found,
                runtime.RuntimeVersion(), runtime.DriverVersion(), cudnn);
        }
        catch (CudaUnavailableException e)
        {
            return new CudaReport(false, e.Message, [], found, 0, 0, 0);
        }
    }
}
