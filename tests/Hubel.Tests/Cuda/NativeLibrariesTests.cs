using Hubel.Cuda;
using Hubel.Cuda.Native;

namespace Hubel.Tests.Cuda;

public class NativeLibrariesTests
{
    [Fact]
    public void MissingLibraryNamesEveryFileTriedAndTheFix()
    {
        var e = Assert.Throws<CudaUnavailableException>(() =>
            NativeLibraries.Load("cuBLAS", ["libhubel-no-such-blas.so.13", "libhubel-no-such-blas.so.12"]));
        Assert.Contains("cuBLAS not found", e.Message);
        Assert.Contains("libhubel-no-such-blas.so.13, libhubel-no-such-blas.so.12", e.Message);
        Assert.Contains(NativeLibraries.DirectoryVariable, e.Message);
    }

    [Fact]
    public void FirstLoadableNameWinsAndExportsResolve()
    {
        var libc = NativeLibraries.Load("C library", ["libhubel-missing.so", "libc.so.6"]);
        Assert.Equal("libc.so.6", libc.FileName);
        Assert.NotEqual(IntPtr.Zero, libc.Export("strlen"));
    }

    [Fact]
    public void MissingEntryPointIsNamed()
    {
        var libc = NativeLibraries.Load("C library", ["libc.so.6"]);
        var e = Assert.Throws<CudaUnavailableException>(() => libc.Export("cublasSgemm_v2"));
        Assert.Contains("'cublasSgemm_v2'", e.Message);
        Assert.Contains("libc.so.6", e.Message);
    }

    [Fact]
    public void UnknownComponentAndEmptyListAreArgumentErrors()
    {
        Assert.Equal("component", Assert.Throws<ArgumentException>(() => NativeLibraries.Load("cuFFT")).ParamName);
        Assert.Equal("names", Assert.Throws<ArgumentException>(() => NativeLibraries.Load("cuBLAS", [])).ParamName);
    }

    [Fact]
    public void EveryComponentKnowsCuda12And13OrCudnn8And9()
    {
        Assert.Contains("libcudart.so.13", NativeLibraries.Candidates["CUDA runtime"]);
        Assert.Contains("libcudart.so.12", NativeLibraries.Candidates["CUDA runtime"]);
        Assert.Contains("libcublas.so.13", NativeLibraries.Candidates["cuBLAS"]);
        Assert.Contains("libcudnn.so.9", NativeLibraries.Candidates["cuDNN"]);
        Assert.Contains("libcudnn.so.8", NativeLibraries.Candidates["cuDNN"]);
    }
}
