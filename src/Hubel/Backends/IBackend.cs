using System.Numerics;
using Hubel.Backends.Cpu;
using Hubel.Ops;

namespace Hubel.Backends;

/// <summary>
/// What a compute backend provides, shaped after candle's <c>BackendStorage</c>/<c>BackendDevice</c> and burn's
/// <c>Backend</c> + <c>FloatTensorOps</c>/<c>ModuleOps</c>: a device, memory, and the handful of primitives every
/// layer reduces to (GEMM, convolution forward and both backward passes, pooling, activations, elementwise, reductions).
/// Ops (<see cref="F"/>) keep validation, shape rules and autograd; a backend only computes. Buffers are dense and
/// row-major; sizes come already validated, so implementations need not re-check them.
/// Memory is <see cref="Memory{T}"/>: on the CPU it wraps managed arrays; a CUDA backend hands out
/// <see cref="System.Buffers.MemoryManager{T}"/>-backed buffers over device (or unified) memory, whose pointers its
/// kernels receive through <c>Memory.Pin()</c>.
/// </summary>
internal interface IBackend
{
    Device Device { get; }

    /// <summary>A buffer of <paramref name="length"/> elements on this device; zeroed when asked, else uninitialised.</summary>
    Memory<T> Allocate<T>(int length, bool zeroed) where T : unmanaged;

    /// <summary>Waits until every queued kernel finished (a no-op on the CPU, whose kernels return when done).</summary>
    void Synchronize();

    /// <summary>C = op(A)·op(B) (+ C when <paramref name="accumulate"/>), op(A) [m, k], op(B) [k, n], leading dimensions in elements.</summary>
    void Gemm<T>(bool transA, bool transB, int m, int n, int k, ReadOnlyMemory<T> a, int lda, ReadOnlyMemory<T> b, int ldb,
        Memory<T> c, int ldc, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>2-D convolution (cross-correlation) y = x ⋆ w + b, NCHW, weight [outChannels, C/groups, KH, KW].</summary>
    /// <paramref name="kernel"/>: <see cref="ConvAlgorithm.Direct"/> lets the backend choose; anything else forces that algorithm.
    void Conv2dForward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, in ConvGeometry g, int groups, int outChannels,
        ConvAlgorithm kernel = ConvAlgorithm.Direct) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The three gradients of <see cref="Conv2dForward{T}"/>: backward-data into dx (added to what dx holds),
    /// backward-filter into dw and the bias gradient into db (both overwritten); each only when present.</summary>
    void Conv2dBackward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        in ConvGeometry g, int groups, int outChannels, ConvAlgorithm kernel = ConvAlgorithm.Direct) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Max pooling; the flat input index of each window's maximum goes to <paramref name="argmax"/> for backward.</summary>
    void MaxPool2dForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int[] argmax, in ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Routes each output gradient to its window's maximum (overlapping windows add up) into a zeroed dx.</summary>
    void MaxPool2dBackward<T>(ReadOnlyMemory<T> dy, int[] argmax, Memory<T> dx, in ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Average pooling with PyTorch's divisor rules.</summary>
    void AvgPool2dForward<T>(ReadOnlyMemory<T> x, Memory<T> y, in ConvGeometry g, bool countIncludePad, int padBottom, int padRight)
        where T : unmanaged, IFloatingPointIeee754<T>;

    void AvgPool2dBackward<T>(ReadOnlyMemory<T> dy, Memory<T> dx, in ConvGeometry g, bool countIncludePad, int padBottom, int padRight)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y = act(x) elementwise.</summary>
    void ActivationForward<TAct, T>(ReadOnlyMemory<T> x, Memory<T> y) where TAct : IActivation where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>dx = act'(x, y) · dy elementwise.</summary>
    void ActivationBackward<TAct, T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> y, ReadOnlyMemory<T> dy, Memory<T> dx)
        where TAct : IActivation where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>d = a ∘ b elementwise for same-length buffers (broadcasting is the op layer's job: it expands views first).</summary>
    void Binary<TOp, T>(ReadOnlyMemory<T> a, ReadOnlyMemory<T> b, Memory<T> d) where TOp : IBinaryOp where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Sum over the middle axis of x viewed as [outer, reduce, inner] into y [outer, inner].</summary>
    void Sum<T>(ReadOnlyMemory<T> x, int outer, int reduce, int inner, Memory<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Which backend ops run on. Today only the CPU; the CUDA backend will register here and tensors will carry
/// their <see cref="Device"/>, so an op picks the backend of its inputs.</summary>
internal static class Backend
{
    public static IBackend For(Device device) => device.Kind switch
    {
        DeviceKind.Cpu => CpuBackend.Instance,
        _ => throw new NotSupportedException($"no backend for device {device} yet; Hubel runs on the CPU (device 'cpu')"),
    };

    /// <summary>The backend for tensors on the CPU, which is where every tensor lives today.</summary>
    public static IBackend Cpu => CpuBackend.Instance;
}
