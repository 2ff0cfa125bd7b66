using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Matrix products on the packed GEMM. MatMul: [M,K] x [K,N] = [M,N], or batched
/// [B,M,K] x [B,K,N]. Linear: x[.., in] Wᵀ + b with W [out, in] (PyTorch's layout).
/// Backward: dA = dC Bᵀ, dB = Aᵀ dC, db = column sums of dC.</summary>
public static partial class F
{
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        if (a.DType != b.DType) throw new ArgumentException($"dtype mismatch: {a.DType} and {b.DType}", nameof(b));
        if (a.Rank == 2 && b.Rank == 2)
        {
            if (a.Size(1) != b.Size(0))
                throw new ArgumentException($"inner dimensions differ: a is {ShapeMath.Format(a.ShapeArray)}, b is {ShapeMath.Format(b.ShapeArray)}", nameof(b));
        }
        else if (a.Rank == 3 && b.Rank == 3)
        {
            if (a.Size(0) != b.Size(0)) throw new ArgumentException($"batch sizes differ: {a.Size(0)} vs {b.Size(0)}", nameof(b));
            if (a.Size(2) != b.Size(1))
                throw new ArgumentException($"inner dimensions differ: a is {ShapeMath.Format(a.ShapeArray)}, b is {ShapeMath.Format(b.ShapeArray)}", nameof(b));
        }
        else throw new ArgumentException($"matmul takes two 2-D or two 3-D tensors; got ranks {a.Rank} and {b.Rank}", nameof(a));

        var y = MatMulRaw(a.Detach(), false, b.Detach(), false);
        return Graph.Record(y, "matmul", [a, b], g => [
            a.RequiresGrad ? MatMulRaw(g, false, b.Detach(), true) : null,
            b.RequiresGrad ? MatMulRaw(a.Detach(), true, g, false) : null]);
    }

    /// <summary>op(a) x op(b) for 2-D or batched 3-D operands, not recorded.</summary>
    internal static Tensor MatMulRaw(Tensor a, bool transA, Tensor b, bool transB)
    {
        a = a.Contiguous(); b = b.Contiguous();
        bool batched = a.Rank == 3;
        int batch = batched ? a.Size(0) : 1;
        int ar = a.Size(-2), ac = a.Size(-1), br = b.Size(-2), bc = b.Size(-1);
        int m = transA ? ac : ar, k = transA ? ar : ac, n = transB ? br : bc;
        var y = Tensor.Empty(batched ? [batch, m, n] : [m, n], a.DType);
        for (int i = 0; i < batch; i++)
        {
            if (a.DType == DType.Float32) GemmSlice<float>(a, b, y, i, transA, transB, m, n, k, ac, bc);
            else GemmSlice<double>(a, b, y, i, transA, transB, m, n, k, ac, bc);
        }
        return y;
    }

    private static void GemmSlice<T>(Tensor a, Tensor b, Tensor y, int i, bool transA, bool transB, int m, int n, int k, int lda, int ldb)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int aSize = a.Size(-2) * a.Size(-1), bSize = b.Size(-2) * b.Size(-1);
        Backend.Cpu.Gemm<T>(transA, transB, m, n, k, Mem<T>(a).Slice(i * aSize, aSize), lda, Mem<T>(b).Slice(i * bSize, bSize), ldb,
            MutMem<T>(y).Slice(i * m * n, m * n), n, accumulate: false);
    }

    /// <summary>y = x Wᵀ + b for x [N, in] (or [in]), W [out, in], b [out].</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input); ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"weight must be [out, in]; got {ShapeMath.Format(weight.ShapeArray)}", nameof(weight));
        if (input.Rank is < 1 or > 2) throw new ArgumentException($"input must be [N, in] or [in]; got {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (input.Size(-1) != weight.Size(1))
            throw new ArgumentException($"input has {input.Size(-1)} features; weight expects {weight.Size(1)} (weight shape {ShapeMath.Format(weight.ShapeArray)})", nameof(input));
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != weight.Size(0)))
            throw new ArgumentException($"bias must have shape [{weight.Size(0)}]; got {ShapeMath.Format(bias.ShapeArray)}", nameof(bias));
        if (weight.DType != input.DType || (bias is not null && bias.DType != input.DType))
            throw new ArgumentException("input, weight and bias must share one dtype", nameof(weight));
        if (input.Rank == 1) return Linear(input.Unsqueeze(0), weight, bias).Reshape(weight.Size(0));

        var x = input.Detach();
        var w = weight.Detach();
        Tensor y;
        if (input.DType == DType.Float32 && SmallLinearKernels.Applies(x.Size(0), x.Size(1)))
        {
            // Few rows: dot products straight from x and W with the bias added in, one thread (see SmallLinearKernels).
            x = x.Contiguous(); w = w.Contiguous();
            y = LinearFewRows(x, w, bias, relu: false);
        }
        else
        {
            y = MatMulRaw(x, false, w, true);
            if (bias is not null) y = BinaryKernels.Run<AddOp>(y, bias.Detach());
        }
        return Graph.Record(y, "linear", [input, weight, bias], g =>
        {
            var dx = input.RequiresGrad ? MatMulRaw(g, false, w, false) : null;
            var dw = weight.RequiresGrad ? MatMulRaw(g, true, x, false) : null;
            if (bias is null) return [dx, dw];
            return [dx, dw, bias.RequiresGrad ? Sum(g, [0]) : null];
        });
    }

    /// <summary>max(0, x Wᵀ + b) without the tape, for x [N, in] with few rows (<see cref="SmallLinearKernels.Applies"/>):
    /// the kernel applies the ReLU as it stores, so inference makes one tensor instead of two.</summary>
    internal static Tensor LinearReluInference(Tensor input, Tensor weight, Tensor? bias)
    {
        if (Graph.NeedsGrad(input, weight, bias))
            throw new InvalidOperationException("the fused inference linear layer records no gradient; call it only without the tape (Graph.NoGrad) or on tensors that need none");
        if (input.Rank != 2 || weight.Rank != 2 || input.Size(1) != weight.Size(1) || input.DType != DType.Float32 || weight.DType != DType.Float32
            || (bias is not null && (bias.Rank != 1 || bias.Size(0) != weight.Size(0) || bias.DType != DType.Float32)) || !SmallLinearKernels.Applies(input.Size(0), input.Size(1)))
            throw new ArgumentException($"expected float32 input [N <= {SmallLinearKernels.MaxRows}, in], weight [out, in] and bias [out]; got input {ShapeMath.Format(input.ShapeArray)} {input.DType}, weight {ShapeMath.Format(weight.ShapeArray)} {weight.DType}", nameof(input));
        return LinearFewRows(input.Contiguous(), weight.Detach().Contiguous(), bias, relu: true);
    }

    /// <summary>(relu of) x Wᵀ + b by the few-row kernel, for contiguous float32 x [N, in] and W [out, in].</summary>
    private static Tensor LinearFewRows(Tensor x, Tensor w, Tensor? bias, bool relu)
    {
        var y = Tensor.Empty([x.Size(0), w.Size(0)], DType.Float32);
        SmallLinearKernels.Forward(x.Span<float>(), w.Span<float>(), bias is null ? default : bias.Detach().Contiguous().Span<float>(),
            y.Span<float>(), x.Size(0), w.Size(0), x.Size(1), relu);
        return y;
    }
}
