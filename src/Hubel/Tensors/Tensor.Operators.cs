using System.Numerics.Tensors;
using Hubel.Autograd;

namespace Hubel.Tensors;

// Operators and method-call shortcuts for the functional ops in Hubel.Ops.F.
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Ops.F.Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Ops.F.Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Ops.F.Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Ops.F.Div(a, b);
    public static Tensor operator -(Tensor a) => Ops.F.Neg(a);
    public static Tensor operator *(Tensor a, double s) => Ops.F.Scale(a, s);
    public static Tensor operator *(double s, Tensor a) => Ops.F.Scale(a, s);
    public static Tensor operator +(Tensor a, double s) => Ops.F.AddScalar(a, s);
    public static Tensor operator -(Tensor a, double s) => Ops.F.AddScalar(a, -s);

    /// <summary>a + b without recording (used to sum gradient contributions).</summary>
    internal Tensor AddNoGrad(Tensor other)
    {
        using var _ = Graph.NoGrad();
        return Ops.F.Add(this, other);
    }

    /// <summary>this += other in place (same shape, contiguous); not recorded. Used to accumulate leaf gradients.</summary>
    internal void AddInPlace(Tensor other)
    {
        if (!Shape.SequenceEqual(other.Shape)) throw new ArgumentException("shape mismatch in AddInPlace", nameof(other));
        var src = other.To(DType).Detach().Contiguous();
        if (DType == DType.Float32) TensorPrimitives.Add(Span<float>(), src.Span<float>(), Span<float>());
        else TensorPrimitives.Add(Span<double>(), src.Span<double>(), Span<double>());
    }
}

public sealed partial class Tensor
{
    public Tensor Relu() => Ops.F.Relu(this);
    public Tensor Sigmoid() => Ops.F.Sigmoid(this);
    public Tensor Tanh() => Ops.F.Tanh(this);
}

public sealed partial class Tensor
{
    public Tensor Sum() => Ops.F.Sum(this);
    public Tensor Sum(int[] dims, bool keepDim = false) => Ops.F.Sum(this, dims, keepDim);
    public Tensor Mean() => Ops.F.Mean(this);
    public Tensor Mean(int[] dims, bool keepDim = false) => Ops.F.Mean(this, dims, keepDim);
}
