using Hubel.Cuda.Gpu;
using Hubel.Cuda.Native;

namespace Hubel.Cuda;

/// <summary>
/// One GPU with its stream and cuBLAS handle. <see cref="Open"/> fails with a <see cref="CudaUnavailableException"/>
/// that names what is missing (driver, library, device) instead of crashing in native code.
/// </summary>
public sealed class CudaContext : IDisposable
{
    private readonly CudaRuntimeApi _runtime;
    private readonly CublasApi _cublas;
    private readonly IntPtr _stream, _blas;
    private bool _disposed;

    private CudaContext(CudaRuntimeApi runtime, CublasApi cublas, int ordinal, bool allowTf32)
    {
        _runtime = runtime;
        _cublas = cublas;
        Ordinal = ordinal;
        _runtime.SetDevice(ordinal);
        _stream = _runtime.StreamCreate();
        _blas = _cublas.Create();
        _cublas.SetStream(_blas, _stream);
        // FP32 parity with the CPU backend by default; TF32 trades 10 mantissa bits for ~8x GEMM speed.
        _cublas.SetMathMode(_blas, allowTf32 ? CublasApi.Tf32TensorOpMath : CublasApi.PedanticMath);
    }

    public int Ordinal { get; }

    /// <summary>Opens GPU <paramref name="ordinal"/> (the N of `--device cuda:N`).</summary>
    public static CudaContext Open(int ordinal = 0, bool allowTf32 = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        var runtime = new CudaRuntimeApi(NativeLibraries.Load("CUDA runtime"));
        var cublas = new CublasApi(NativeLibraries.Load("cuBLAS"));
        int count;
        try { count = runtime.DeviceCount(); }
        catch (CudaException e) { throw new CudaUnavailableException($"no usable GPU: {e.Message}"); }
        if (ordinal >= count)
            throw new CudaUnavailableException(count == 0 ? "the CUDA runtime found no GPU" : $"cuda:{ordinal} does not exist; this machine has {count} GPU(s): cuda:0..cuda:{count - 1}");
        return new CudaContext(runtime, cublas, ordinal, allowTf32);
    }

    public DeviceBuffer Allocate(long length) { ObjectDisposedException.ThrowIf(_disposed, this); return new DeviceBuffer(_runtime, length); }

    public DeviceBuffer Upload(ReadOnlySpan<float> host)
    {
        var buffer = Allocate(host.Length);
        buffer.CopyFrom(host);
        return buffer;
    }

    /// <summary>Row-major C[m,n] = op(A)·op(B) on the GPU (see <see cref="CublasGemm.Plan"/> for the layouts).</summary>
    public void Gemm(DeviceBuffer a, DeviceBuffer b, DeviceBuffer c, int m, int n, int k, bool transA = false, bool transB = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var plan = CublasGemm.Plan(m, n, k, transA, transB);
        if (a.Length != (long)m * k) throw new ArgumentException($"A holds {a.Length} floats; {m}x{k} needs {(long)m * k}", nameof(a));
        if (b.Length != (long)k * n) throw new ArgumentException($"B holds {b.Length} floats; {k}x{n} needs {(long)k * n}", nameof(b));
        if (c.Length != (long)m * n) throw new ArgumentException($"C holds {c.Length} floats; {m}x{n} needs {(long)m * n}", nameof(c));
        _cublas.Sgemm(_blas, plan.TransA, plan.TransB, plan.M, plan.N, plan.K, 1f, b.Pointer, plan.Lda, a.Pointer, plan.Ldb, 0f, c.Pointer, plan.Ldc);
    }

    public void Synchronize() => _runtime.StreamSynchronize(_stream);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cublas.Destroy(_blas);
        _runtime.StreamDestroy(_stream);
    }
}
