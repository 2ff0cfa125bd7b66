using Hubel.Tensors;

namespace Hubel.Autograd;

/// <summary>Outcome of <see cref="GradCheck.Check"/>. When it failed, <see cref="InputIndex"/> and
/// <see cref="ElementIndex"/> (row-major, logical) name the worst element; both are -1 when it passed.</summary>
public sealed record GradCheckResult(
    bool Passed, double MaxAbsError, int InputIndex, int ElementIndex, double Analytic, double Numeric, string Message)
{
    public override string ToString() => Message;
}

/// <summary>
/// Checks a function's analytic gradients (from <see cref="Tensor.Backward"/>) against central differences,
/// as PyTorch's gradcheck does. The function's output is reduced to the scalar L = Σ f(x) ⊙ u with a fixed
/// random upstream u (so every output element and every path of the backward rule is weighed, not only
/// their sum); then for every element x_j of every input that requires grad,
/// numeric = (L(x_j + eps) - L(x_j - eps)) / 2eps, and the check passes when
/// |analytic - numeric| &lt;= atol + rtol·|numeric| everywhere.
/// </summary>
public static class GradCheck
{
    /// <param name="f">the function under test; it must be deterministic and return a float64 tensor.</param>
    /// <param name="inputs">float64 leaf tensors; those with RequiresGrad are checked. They are perturbed in
    /// place during the check and restored afterwards; their Grad is restored too.</param>
    /// <param name="seed">seed of the upstream gradient u (uniform in [-1, 1]).</param>
    /// <exception cref="ArgumentException">an input is not float64, not a leaf, or has a broadcast (zero) stride;
    /// f returns a tensor that is not float64.</exception>
    /// <exception cref="ArgumentOutOfRangeException">eps is not positive, or a tolerance is negative.</exception>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, ulong seed = 0x6A09E667F3BCC908UL)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"eps must be > 0; got {eps}");
        if (!(atol >= 0)) throw new ArgumentOutOfRangeException(nameof(atol), $"atol must be >= 0; got {atol}");
        if (!(rtol >= 0)) throw new ArgumentOutOfRangeException(nameof(rtol), $"rtol must be >= 0; got {rtol}");
        for (int i = 0; i < inputs.Length; i++) Validate(inputs[i], i);

        // Analytic gradients, with each input's previous Grad put back afterwards.
        var savedGrads = inputs.Select(t => t.Grad).ToArray();
        foreach (var t in inputs) t.Grad = null;
        Tensor y;
        double[] u;
        double[][] analytic;
        try
        {
            y = f(inputs);
            if (y.DType != DType.Float64) throw new ArgumentException($"f must return a float64 tensor; got {y.DType}", nameof(f));
            if (!inputs.Any(t => t.RequiresGrad))
                return new GradCheckResult(true, 0, -1, -1, 0, 0, "gradcheck: no input requires grad; nothing to check");
            var upstream = Tensor.Uniform(y.ShapeArray, -1, 1, new Rng(seed), DType.Float64);
            u = upstream.ToDoubleArray();
            if (y.RequiresGrad) y.Backward(upstream);
            // An input the output does not depend on gets no gradient: that is zero, and the numeric side checks it.
            analytic = inputs.Select(t => t.RequiresGrad ? t.Grad?.ToDoubleArray() ?? new double[t.Numel] : []).ToArray();
        }
        finally
        {
            for (int i = 0; i < inputs.Length; i++) inputs[i].Grad = savedGrads[i];
        }

        double maxAbs = 0, worstRatio = -1;
        int worstInput = -1, worstElement = -1, checkedCount = 0;
        double worstA = 0, worstN = 0;
        using (Graph.NoGrad())
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                var x = inputs[i];
                if (!x.RequiresGrad) continue;
                var storage = (double[])x.Storage;
                for (int j = 0; j < x.Numel; j++)
                {
                    int at = StorageIndex(x, j);
                    double original = storage[at];
                    storage[at] = original + eps;
                    double plus = Objective(f, inputs, u);
                    storage[at] = original - eps;
                    double minus = Objective(f, inputs, u);
                    storage[at] = original;
                    double numeric = (plus - minus) / (2 * eps);
                    double a = analytic[i][j], err = Math.Abs(a - numeric);
                    double ratio = double.IsNaN(err) ? double.PositiveInfinity : err / (atol + rtol * Math.Abs(numeric));
                    maxAbs = Math.Max(maxAbs, double.IsNaN(err) ? double.PositiveInfinity : err);
                    checkedCount++;
                    if (ratio > worstRatio) (worstRatio, worstInput, worstElement, worstA, worstN) = (ratio, i, j, a, numeric);
                }
            }
        }

        if (worstRatio <= 1)
            return new GradCheckResult(true, maxAbs, -1, -1, worstA, worstN,
                $"gradcheck passed: max |analytic - numeric| = {maxAbs:G3} over {checkedCount} elements (eps {eps:G3}, atol {atol:G3}, rtol {rtol:G3})");
        var index = ShapeMath.Format(Unravel(inputs[worstInput].ShapeArray, worstElement));
        return new GradCheckResult(false, maxAbs, worstInput, worstElement, worstA, worstN,
            $"gradcheck failed for input {worstInput} (shape {ShapeMath.Format(inputs[worstInput].ShapeArray)}) at element {worstElement} {index}: " +
            $"analytic {worstA:G9}, numeric {worstN:G9}, |difference| {Math.Abs(worstA - worstN):G3} > atol + rtol·|numeric| = {atol + rtol * Math.Abs(worstN):G3}; " +
            $"max |analytic - numeric| over all {checkedCount} elements = {maxAbs:G3}");
    }

    private static void Validate(Tensor t, int i)
    {
        if (t is null) throw new ArgumentNullException("inputs", $"input {i} is null");
        if (t.DType != DType.Float64)
            throw new ArgumentException($"input {i} is {t.DType}; gradcheck needs float64 (central differences in float32 are too noisy)", "inputs");
        if (!t.IsLeaf) throw new ArgumentException($"input {i} is not a leaf tensor (it has grad_fn {t.GradFn!.Name}); pass a leaf", "inputs");
        for (int d = 0; d < t.Rank; d++)
            if (t.StridesArray[d] == 0 && t.ShapeArray[d] > 1)
                throw new ArgumentException($"input {i} is a broadcast view (zero stride in dimension {d}); perturbing one element would move many", "inputs");
    }

    private static double Objective(Func<Tensor[], Tensor> f, Tensor[] inputs, double[] u)
    {
        var y = f(inputs).ToDoubleArray();
        if (y.Length != u.Length) throw new InvalidOperationException($"f returned {y.Length} elements on one call and {u.Length} on another; it must be deterministic");
        double sum = 0;
        for (int k = 0; k < y.Length; k++) sum += y[k] * u[k];
        return sum;
    }

    /// <summary>Storage position of the <paramref name="flat"/>-th element in row-major logical order.</summary>
    private static int StorageIndex(Tensor t, int flat)
    {
        int at = t.Offset;
        for (int d = t.Rank - 1; d >= 0; d--)
        {
            int size = t.ShapeArray[d];
            at += flat % size * t.StridesArray[d];
            flat /= size;
        }
        return at;
    }

    private static int[] Unravel(int[] shape, int flat)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { index[d] = flat % shape[d]; flat /= shape[d]; }
        return index;
    }
}
