using System.Numerics.Tensors;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Functional ops (PyTorch's torch.nn.functional). This part: broadcasting arithmetic.
/// Gradient rules, as a table: d(a+b) = (g, g); d(a-b) = (g, -g); d(a*b) = (g*b, g*a); d(a/b) = (g/b, -g*a/b²);
/// each reduced back to its input's shape where it was broadcast.</summary>
public static partial class F
{
    /// <summary>a + b with NumPy broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        var y = BinaryKernels.Run<AddOp>(a, b);
        int[] sa = a.ShapeArray, sb = b.ShapeArray;
        return Graph.Record(y, "add", [a, b], g => [SumToShape(g, sa), SumToShape(g, sb)]);
    }

    public static Tensor Sub(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        var y = BinaryKernels.Run<SubOp>(a, b);
        int[] sa = a.ShapeArray, sb = b.ShapeArray;
        return Graph.Record(y, "sub", [a, b], g => [SumToShape(g, sa), SumToShape(Neg(g), sb)]);
    }

    public static Tensor Mul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        var y = BinaryKernels.Run<MulOp>(a, b);
        int[] sa = a.ShapeArray, sb = b.ShapeArray;
        return Graph.Record(y, "mul", [a, b], g => [
            a.RequiresGrad ? SumToShape(Mul(g, b), sa) : null,
            b.RequiresGrad ? SumToShape(Mul(g, a), sb) : null]);
    }

    public static Tensor Div(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        var y = BinaryKernels.Run<DivOp>(a, b);
        int[] sa = a.ShapeArray, sb = b.ShapeArray;
        return Graph.Record(y, "div", [a, b], g => [
            a.RequiresGrad ? SumToShape(Div(g, b), sa) : null,
            b.RequiresGrad ? SumToShape(Neg(Div(Mul(g, y), b)), sb) : null]);
    }

    /// <summary>x * s for a scalar s.</summary>
    public static Tensor Scale(Tensor x, double s)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Map(x, (src, dst) => TensorPrimitives.Multiply(src, (float)s, dst), (src, dst) => TensorPrimitives.Multiply(src, s, dst));
        return Graph.Record(y, "scale", [x], g => [Scale(g, s)]);
    }

    /// <summary>x + s for a scalar s.</summary>
    public static Tensor AddScalar(Tensor x, double s)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Map(x, (src, dst) => TensorPrimitives.Add(src, (float)s, dst), (src, dst) => TensorPrimitives.Add(src, s, dst));
        return Graph.Record(y, "add_scalar", [x], g => [g]);
    }

    public static Tensor Neg(Tensor x) => Scale(x, -1.0);

    internal delegate void SpanMap<T>(ReadOnlySpan<T> src, Span<T> dst);

    /// <summary>Applies a span-to-span kernel to a contiguous copy of x, choosing the dtype's version.</summary>
    internal static Tensor Map(Tensor x, SpanMap<float> f32, SpanMap<double> f64)
    {
        x = x.Detach().Contiguous();
        var y = Tensor.Empty(x.ShapeArray, x.DType);
        if (x.DType == DType.Float32) f32(x.Span<float>(), y.Span<float>());
        else f64(x.Span<double>(), y.Span<double>());
        return y;
    }
}
