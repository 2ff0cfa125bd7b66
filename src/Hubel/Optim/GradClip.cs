using System.Numerics;
using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>Gradient clipping between backward and the optimiser step, as torch.nn.utils.clip_grad_norm_ and
/// clip_grad_value_. Gradients are replaced by clipped copies (never written in place, since a gradient tensor may
/// share memory with another).</summary>
public static class GradClip
{
    /// <summary>Scales all gradients together so that their joint norm is at most <paramref name="maxNorm"/>:
    /// total = ‖(‖g₁‖, ‖g₂‖, ...)‖; if total &gt; maxNorm, each g ← g · maxNorm / (total + 1e-6). Returns the total
    /// norm before clipping (infinite or NaN when a gradient is). Parameters without gradients are skipped.</summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2.0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0) || double.IsInfinity(maxNorm)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"max norm must be a finite number >= 0; got {maxNorm}");
        if (!(normType >= 1)) throw new ArgumentOutOfRangeException(nameof(normType), $"norm type must be >= 1 or infinity; got {normType}");
        var withGrad = parameters.Where(p => p.Grad is not null).ToList();
        if (withGrad.Count == 0) return 0;
        var norms = withGrad.Select(p => Norm(p.Grad!.Contiguous().ToDoubleArray(), normType)).ToArray();
        double total = Norm(norms, normType);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1)
            foreach (var p in withGrad) p.Grad = Scaled(p.Grad!, coef);
        return total;
    }

    /// <summary>Clamps every gradient element to [-clipValue, clipValue].</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0) || double.IsInfinity(clipValue)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"clip value must be a finite number >= 0; got {clipValue}");
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            var g = p.Grad.Contiguous().Clone();
            if (g.DType == DType.Float32) Clamp(g.Span<float>(), (float)clipValue);
            else Clamp(g.Span<double>(), clipValue);
            p.Grad = g;
        }
    }

    private static double Norm(double[] values, double normType)
    {
        if (double.IsPositiveInfinity(normType)) return values.Length == 0 ? 0 : values.Max(Math.Abs);
        if (normType == 2) return Math.Sqrt(values.Sum(v => v * v));
        return Math.Pow(values.Sum(v => Math.Pow(Math.Abs(v), normType)), 1 / normType);
    }

    private static Tensor Scaled(Tensor grad, double coef)
    {
        var g = grad.Contiguous().Clone();
        if (g.DType == DType.Float32) Scale(g.Span<float>(), (float)coef);
        else Scale(g.Span<double>(), coef);
        return g;
    }

    private static void Scale<T>(Span<T> values, T coef) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++) values[i] *= coef;
    }

    private static void Clamp<T>(Span<T> values, T limit) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++) values[i] = T.Clamp(values[i], -limit, limit);
    }
}
