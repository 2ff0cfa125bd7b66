using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Inverted dropout: in training each element (Dropout) or each whole channel (Dropout2d) is zeroed with
/// probability p and the survivors are scaled by 1/(1 - p), so the expected value is unchanged and evaluation is
/// the identity. The mask comes from the caller's seeded <see cref="Rng"/> (one draw per element or per (n, c), in
/// row-major order; dropped when the draw is &lt; p), so a run is reproducible. Composed as x ⊙ mask: the gradient
/// is the upstream gradient times the same mask. Output shape = input shape.</summary>
public static partial class F
{
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 1] (p = 1 zeroes everything, as in PyTorch).</exception>
    /// <exception cref="ArgumentNullException">training with p &gt; 0 and no generator.</exception>
    public static Tensor Dropout(Tensor x, double p = 0.5, bool training = true, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckDropProbability(p);
        if (!training || p == 0) return x;
        ArgumentNullException.ThrowIfNull(rng);
        return F.Mul(x, DropMask(x.ShapeArray, p, rng, x.DType));
    }

    /// <summary>Channel dropout over [N, C, H, W]: zeroes whole feature maps (adjacent pixels are correlated, so
    /// per-pixel dropout regularises little there).</summary>
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 1].</exception>
    /// <exception cref="ArgumentException">input is not [N, C, H, W].</exception>
    public static Tensor Dropout2d(Tensor x, double p = 0.5, bool training = true, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(x.ShapeArray)}", nameof(x));
        CheckDropProbability(p);
        if (!training || p == 0) return x;
        ArgumentNullException.ThrowIfNull(rng);
        return F.Mul(x, DropMask([x.Size(0), x.Size(1), 1, 1], p, rng, x.DType));
    }

    private static void CheckDropProbability(double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability p must be in [0, 1]");
    }

    /// <summary>0 or 1/(1 - p) per element of <paramref name="maskShape"/> (which broadcasts to the input).</summary>
    private static Tensor DropMask(int[] maskShape, double p, Rng rng, DType dtype)
    {
        double keep = p >= 1 ? 0 : 1 / (1 - p);
        var mask = new double[ShapeMath.Numel(maskShape)];
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() < p ? 0 : keep;
        return Tensor.FromArray(mask, maskShape).To(dtype);
    }
}
