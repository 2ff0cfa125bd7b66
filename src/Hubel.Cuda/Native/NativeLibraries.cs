namespace Hubel.Cuda.Native;

/// <summary>
/// Finds a shared library by trying a list of file names (newest major version first), so one build runs
/// against CUDA 12 or 13 and cuDNN 8 or 9 without recompiling. <c>HUBEL_CUDA_LIB_DIR</c> is searched first,
/// then the loader's own search path (LD_LIBRARY_PATH, ldconfig).
/// </summary>
internal static class NativeLibraries
{
    public const string DirectoryVariable = "HUBEL_CUDA_LIB_DIR";

    /// <summary>The CUDA pieces Hubel uses and the file names each is known by on Linux and Windows.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Candidates = new Dictionary<string, string[]>
    {
        ["CUDA driver"] = ["libcuda.so.1", "libcuda.so", "nvcuda.dll"],
        ["CUDA runtime"] = ["libcudart.so.13", "libcudart.so.12", "libcudart.so", "cudart64_13.dll", "cudart64_12.dll"],
        ["cuBLAS"] = ["libcublas.so.13", "libcublas.so.12", "libcublas.so", "cublas64_13.dll", "cublas64_12.dll"],
        ["cuDNN"] = ["libcudnn.so.9", "libcudnn.so.8", "libcudnn.so", "cudnn64_9.dll", "cudnn64_8.dll"],
        ["NVRTC"] = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so", "nvrtc64_130_0.dll", "nvrtc64_120_0.dll"],
    };

    /// <summary>Loads the first of <paramref name="names"/> that the loader accepts (the shared <see cref="LoadedLibrary"/>
    /// search, with <see cref="DirectoryVariable"/> first).</summary>
    /// <exception cref="CudaUnavailableException">none could be loaded; the message names every file tried.</exception>
    public static LoadedLibrary Load(string component, IReadOnlyList<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(component);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0) throw new ArgumentException("at least one library file name is needed", nameof(names));
        return LoadedLibrary.Load(names, component,
            $"Install the NVIDIA driver and the CUDA 12/13 libraries (cuBLAS, cuDNN 8/9), or point {DirectoryVariable} at the folder that holds them.",
            Environment.GetEnvironmentVariable(DirectoryVariable), message => new CudaUnavailableException(message));
    }

    public static LoadedLibrary Load(string component) =>
        Load(component, Candidates.TryGetValue(component, out var names)
            ? names
            : throw new ArgumentException($"unknown CUDA component '{component}'; expected one of: {string.Join(", ", Candidates.Keys)}", nameof(component)));
}
