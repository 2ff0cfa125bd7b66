using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Losses. Cross-entropy over logits [N, C] and integer class targets, mean over the batch, with optional
/// label smoothing s (PyTorch's label_smoothing): the target distribution is q = (1-s)·onehot(t) + s/C, so
/// L = -1/N Σ_n Σ_c q_c log softmax(x_n)_c; fused so backward is (softmax - q)/N. MSE is the mean of
/// squared differences, composed from primitives.</summary>
public static partial class F
{
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, double labelSmoothing = 0)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"label smoothing must be in [0, 1); got {labelSmoothing}");
        if (logits.Rank != 2) throw new ArgumentException($"logits must be [N, C]; got {ShapeMath.Format(logits.ShapeArray)}", nameof(logits));
        int n = logits.Size(0), c = logits.Size(1);
        if (targets.Length != n) throw new ArgumentException($"got {targets.Length} targets for a batch of {n}", nameof(targets));
        if (n == 0) throw new ArgumentException("cross-entropy of an empty batch is undefined", nameof(logits));
        for (int i = 0; i < n; i++)
            if ((uint)targets[i] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(targets), $"target {i} is {targets[i]}; expected a class in [0, {c - 1}]");
        var t = targets.ToArray();
        var logp = LogSoftmax(logits.Detach(), 1);
        double loss = 0;
        for (int i = 0; i < n; i++) loss -= logp[i, t[i]];
        if (labelSmoothing != 0)
        {
            // PyTorch: (1-s)·nll + s·mean over classes of -log p, each averaged over the batch.
            double all = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < c; j++) all -= logp[i, j];
            loss = (1 - labelSmoothing) * loss + labelSmoothing / c * all;
        }
        var y = Tensor.Scalar(loss / n, logits.DType);
        return Graph.Record(y, "cross_entropy", [logits], g =>
        {
            double scale = g.Item() / n;
            var dx = logp.DType == DType.Float32 ? CeGrad<float>(logp, t, scale, labelSmoothing) : CeGrad<double>(logp, t, scale, labelSmoothing);
            return [dx];
        });
    }

    private static Tensor CeGrad<T>(Tensor logp, int[] targets, double scale, double labelSmoothing) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dx = Tensor.Empty(logp.ShapeArray, logp.DType);
        var d = dx.Span<T>();
        TensorPrimitives.Exp<T>(logp.Span<T>(), d);
        int c = logp.Size(1);
        if (labelSmoothing == 0)
            for (int i = 0; i < targets.Length; i++) d[i * c + targets[i]] -= T.One;
        else
        {
            T onTarget = T.CreateChecked(1 - labelSmoothing), uniform = T.CreateChecked(labelSmoothing / c);
            TensorPrimitives.Subtract<T>(d, uniform, d);
            for (int i = 0; i < targets.Length; i++) d[i * c + targets[i]] -= onTarget;
        }
        TensorPrimitives.Multiply<T>(d, T.CreateChecked(scale), d);
        return dx;
    }

    /// <summary>Mean squared error: mean((prediction - target)²); shapes must match.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction); ArgumentNullException.ThrowIfNull(target);
        if (!prediction.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"target shape {ShapeMath.Format(target.ShapeArray)} differs from prediction shape {ShapeMath.Format(prediction.ShapeArray)}", nameof(target));
        var diff = Sub(prediction, target);
        return Mean(Mul(diff, diff));
    }

    /// <summary>Flattens all dimensions from <paramref name="startDim"/> on (a view when possible).</summary>
    public static Tensor Flatten(Tensor x, int startDim = 1, int endDim = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Flatten(startDim, endDim);
    }
}
