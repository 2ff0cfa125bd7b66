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
        if (input.DType == DType.Float32) TAct.Forward<float>(input.Span<float>(), y.Span<float>());
        else TAct.Forward<double>(input.Span<double>(), y.Span<double>());
        var output = y.Detach();
        return Graph.Record(y, TAct.Name, [x], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.Empty(input.ShapeArray, input.DType);
            if (input.DType == DType.Float32) TAct.Backward<float>(input.Span<float>(), output.Span<float>(), dy.Span<float>(), dx.Span<float>());
            else TAct.Backward<double>(input.Span<double>(), output.Span<double>(), dy.Span<double>(), dx.Span<double>());
            return [dx];
        });
    }
}
