namespace Hubel.Cuda.Native;

/// <summary>cuBLAS v2 entry points (cublas_api.h). cuBLAS is column-major; <see cref="Gpu.CublasGemm"/> maps
/// Hubel's row-major products onto it.</summary>
internal sealed unsafe class CublasApi
{
    public const int OpN = 0, OpT = 1;
    /// <summary>cublasMath_t: PEDANTIC keeps full FP32 (parity with the CPU); TF32 is opt-in.</summary>
    public const int PedanticMath = 2, Tf32TensorOpMath = 3;

    public LoadedLibrary Library { get; }
    private readonly delegate* unmanaged<IntPtr*, int> _create;
    private readonly delegate* unmanaged<IntPtr, int> _destroy;
    private readonly delegate* unmanaged<IntPtr, int*, int> _getVersion;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int> _setStream;
    private readonly delegate* unmanaged<IntPtr, int, int> _setMathMode;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, IntPtr, int, float*, IntPtr, int, int> _sgemm;

    public CublasApi(LoadedLibrary library)
    {
        Library = library;
        _create = (delegate* unmanaged<IntPtr*, int>)library.Export("cublasCreate_v2");
        _destroy = (delegate* unmanaged<IntPtr, int>)library.Export("cublasDestroy_v2");
        _getVersion = (delegate* unmanaged<IntPtr, int*, int>)library.Export("cublasGetVersion_v2");
        _setStream = (delegate* unmanaged<IntPtr, IntPtr, int>)library.Export("cublasSetStream_v2");
        _setMathMode = (delegate* unmanaged<IntPtr, int, int>)library.Export("cublasSetMathMode");
        _sgemm = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, IntPtr, int, float*, IntPtr, int, int>)library.Export("cublasSgemm_v2");
    }

    public IntPtr Create() { IntPtr h; Check(_create(&h), "cublasCreate_v2"); return h; }
    public int Destroy(IntPtr handle) => _destroy(handle);
    public int Version(IntPtr handle) { int v; Check(_getVersion(handle, &v), "cublasGetVersion_v2"); return v; }
    public void SetStream(IntPtr handle, IntPtr stream) => Check(_setStream(handle, stream), "cublasSetStream_v2");
    public void SetMathMode(IntPtr handle, int mode) => Check(_setMathMode(handle, mode), "cublasSetMathMode");

    /// <summary>C = alpha op(A) op(B) + beta C, column-major, device pointers.</summary>
    public void Sgemm(IntPtr handle, int transA, int transB, int m, int n, int k, float alpha, IntPtr a, int lda,
        IntPtr b, int ldb, float beta, IntPtr c, int ldc) =>
        Check(_sgemm(handle, transA, transB, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc), "cublasSgemm_v2");

    private static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException("cuBLAS", call, status, Describe(status));
    }

    /// <summary>cublasStatus_t names (cuBLAS has no error-string call before 11.4 everywhere, so they are listed).</summary>
    private static string Describe(int status) => status switch
    {
        1 => "CUBLAS_STATUS_NOT_INITIALIZED",
        3 => "CUBLAS_STATUS_ALLOC_FAILED",
        7 => "CUBLAS_STATUS_INVALID_VALUE",
        8 => "CUBLAS_STATUS_ARCH_MISMATCH",
        11 => "CUBLAS_STATUS_MAPPING_ERROR",
        13 => "CUBLAS_STATUS_EXECUTION_FAILED",
        14 => "CUBLAS_STATUS_INTERNAL_ERROR",
        15 => "CUBLAS_STATUS_NOT_SUPPORTED",
        16 => "CUBLAS_STATUS_LICENSE_ERROR",
        _ => "unknown cuBLAS status",
    };
}
