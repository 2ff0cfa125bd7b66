using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>An activation: forward over a span and its derivative written beside it, given the input x,
/// the output y and the incoming gradient dy. Adding an activation = one struct + one line in <see cref="F"/>.</summary>
internal interface IActivation
{
    static abstract string Name { get; }
    static abstract void Forward<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>relu(x) = max(x, 0); relu'(x) = 1 if x > 0 else 0.</summary>
internal readonly struct ReluActivation : IActivation
{
    public static string Name => "relu";
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, y);
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var mask = Vector256.GreaterThan(Vector256.Create(x.Slice(i)), Vector256<T>.Zero);
                (Vector256.Create(dy.Slice(i)) & mask).CopyTo(dx.Slice(i));
            }
        }
        for (; i < x.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : T.Zero;
    }
}

/// <summary>σ(x) = 1/(1+e^-x); σ'(x) = y(1-y).</summary>
internal readonly struct SigmoidActivation : IActivation
{
    public static string Name => "sigmoid";
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!x.IsEmpty) TensorPrimitives.Sigmoid(x, y);   // TensorPrimitives.Sigmoid throws on empty spans; an empty tensor maps to an empty one
    }
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(T.One, y, dx);   // 1 - y
        TensorPrimitives.Multiply(dx, y, dx);      // y(1 - y)
        TensorPrimitives.Multiply(dx, dy, dx);
    }
}

/// <summary>tanh(x); tanh'(x) = 1 - y².</summary>
internal readonly struct TanhActivation : IActivation
{
    public static string Name => "tanh";
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tanh(x, y);
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(y, y, dx);       // y²
        TensorPrimitives.Subtract(T.One, dx, dx);  // 1 - y²
        TensorPrimitives.Multiply(dx, dy, dx);
    }
}

public static partial class F
{
    public static Tensor Relu(Tensor x) => Activate<ReluActivation>(x);
    public static Tensor Sigmoid(Tensor x) => Activate<SigmoidActivation>(x);
    public static Tensor Tanh(Tensor x) => Activate<TanhActivation>(x);

    private static Tensor Activate<TAct>(Tensor x) where TAct : IActivation
    {
        ArgumentNullException.ThrowIfNull(x);
        var input = x.Detach().Contiguous();
        var y = Tensor.Empty(input.ShapeArray, input.DType);
        if (input.DType == DType.Float32) ActivationForward<TAct, float>(input, y);
        else ActivationForward<TAct, double>(input, y);
        var output = y.Detach();
        return Graph.Record(y, TAct.Name, [x], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.Empty(input.ShapeArray, input.DType);
            if (input.DType == DType.Float32) ActivationBackward<TAct, float>(input, output, dy, dx);
            else ActivationBackward<TAct, double>(input, output, dy, dx);
            return [dx];
        });
    }

    /// <summary>Elements per worker below which an activation pass stays on one thread. Inside a training step the helpers
    /// are still spinning from the last region and join within a microsecond, so 16 K floats a worker pay off: LeNet-5's
    /// ReLU after the first pooling (75 K floats at batch 64) had its backward pass alone on one core, 2 % of the step's
    /// main-thread time in perf, while the other core spun.</summary>
    private const int ActivationChunk = 1 << 14;

    // Contiguous tensors as arrays and offsets, so the chunks can be handed to CpuThreads (spans cannot be captured).
    private static void ActivationForward<TAct, T>(Tensor x, Tensor y) where TAct : IActivation where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xa = x.Data<T>(), ya = y.Data<T>();
        int xo = x.Offset, yo = y.Offset;
        if (x.Numel == 0) return;   // an empty view's offset may lie past the end of its storage
        if (x.Numel < 2 * ActivationChunk) { TAct.Forward<T>(xa.AsSpan(xo, x.Numel), ya.AsSpan(yo, x.Numel)); return; }
        Backends.Cpu.CpuThreads.For(x.Numel, (a, b) => TAct.Forward<T>(xa.AsSpan(xo + a, b - a), ya.AsSpan(yo + a, b - a)), minPerWorker: ActivationChunk);
    }

    private static void ActivationBackward<TAct, T>(Tensor x, Tensor y, Tensor dy, Tensor dx) where TAct : IActivation where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xa = x.Data<T>(), ya = y.Data<T>(), ga = dy.Data<T>(), da = dx.Data<T>();
        int xo = x.Offset, yo = y.Offset, go = dy.Offset, dO = dx.Offset, n = x.Numel;
        if (n == 0) return;
        if (n < 2 * ActivationChunk) { TAct.Backward<T>(xa.AsSpan(xo, n), ya.AsSpan(yo, n), ga.AsSpan(go, n), da.AsSpan(dO, n)); return; }
        Backends.Cpu.CpuThreads.For(n, (a, b) =>
            TAct.Backward<T>(xa.AsSpan(xo + a, b - a), ya.AsSpan(yo + a, b - a), ga.AsSpan(go + a, b - a), da.AsSpan(dO + a, b - a)), minPerWorker: ActivationChunk);
    }
}
