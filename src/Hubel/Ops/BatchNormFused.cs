using System.Numerics.Tensors;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Batch norm with a residual-block epilogue in the same pass: relu(batch_norm(x) + residual). Training a
/// ResNet runs conv → BN → ReLU and conv → BN → + shortcut → ReLU; as one op the normalised values are written once
/// instead of being written, re-read and re-written by the add and the ReLU, and the backward undoes the ReLU (and hands
/// the residual its gradient) in one pass before the batch-norm backward. Same results as the separate ops.</summary>
public static partial class F
{
    /// <summary>relu(batch_norm(input) + residual), residual optional; see <see cref="BatchNorm"/> for the rest.
    /// Layers call it (<see cref="Nn.FusedInference.ConvBnRelu"/>); it is not a public op of its own.</summary>
    internal static Tensor BatchNormRelu(Tensor input, Tensor? residual, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum, double eps, Action<double[]>? sumOverReplicas = null) =>
        BatchNormCore(input, runningMean, runningVar, weight, bias, training, momentum, eps, sumOverReplicas, residual, relu: true);

    private static void CheckResidual(Tensor? residual, Tensor input)
    {
        if (residual is null) return;
        if (!residual.Shape.SequenceEqual(input.Shape))
            throw new ArgumentException($"residual must have the input's shape {ShapeMath.Format(input.ShapeArray)}; got {ShapeMath.Format(residual.ShapeArray)}", nameof(residual));
        if (residual.DType != input.DType) throw new ArgumentException($"residual is {residual.DType} but the input is {input.DType}", nameof(residual));
    }

    /// <summary>y += residual, then y = max(y, 0), in place (the float64 path; float32 does it inside the kernel).</summary>
    private static void AddResidualRelu(Tensor y, Tensor? residual, bool relu)
    {
        var ys = y.Span<double>();
        if (residual is not null) TensorPrimitives.Add(ys, residual.Span<double>(), ys);
        if (relu) TensorPrimitives.Max(ys, 0.0, ys);
    }

    /// <summary>The gradient through the fused ReLU: g where the output is positive, 0 elsewhere.</summary>
    private static Tensor ReluGrad(Tensor output, Tensor g)
    {
        var dy = g.Contiguous();
        var dz = Tensor.Empty(output.ShapeArray, output.DType);
        if (output.DType == DType.Float32) BatchNormF32.ReluMask(Mem<float>(output), Mem<float>(dy), MutMem<float>(dz));
        else ReluActivation.Backward<double>(output.Span<double>(), output.Span<double>(), dy.Span<double>(), dz.Span<double>());
        return dz;
    }
}
