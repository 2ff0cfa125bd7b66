using System.Numerics;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>An elementwise activation with hyper-parameters held in the struct: the value f(x) and the
/// derivative f'(x) (given x and y = f(x)) side by side, as <see cref="IActivation"/> does for the
/// parameter-free ones. The driver <see cref="F"/>.ActivateWith specialises per struct, so no delegate call.</summary>
internal interface IScalarActivation
{
    string Name { get; }
    T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
    T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>leaky_relu(x) = x if x &gt; 0 else slope·x; derivative 1 or slope.</summary>
internal readonly struct LeakyReluActivation(double slope) : IScalarActivation
{
    public string Name => "leaky_relu";
    public T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : T.CreateTruncating(slope) * x;
    public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : T.CreateTruncating(slope);
}

/// <summary>elu(x) = x if x &gt; 0 else α(eˣ - 1); derivative 1 or αeˣ = y + α.</summary>
internal readonly struct EluActivation(double alpha) : IScalarActivation
{
    public string Name => "elu";
    public T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : T.CreateTruncating(alpha) * T.ExpM1(x);
    public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : y + T.CreateTruncating(alpha);
}

/// <summary>softplus(x) = log(1 + e^(βx))/β, and x itself where βx &gt; threshold (PyTorch's rule, which avoids
/// overflow); derivative σ(βx), or 1 above the threshold.</summary>
internal readonly struct SoftplusActivation(double beta, double threshold) : IScalarActivation
{
    public string Name => "softplus";
    public T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T bx = T.CreateTruncating(beta) * x;
        return bx > T.CreateTruncating(threshold) ? x : T.LogP1(T.Exp(bx)) / T.CreateTruncating(beta);
    }
    public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T bx = T.CreateTruncating(beta) * x;
        if (bx > T.CreateTruncating(threshold)) return T.One;
        T z = T.Exp(bx);
        return z / (z + T.One);
    }
}

/// <summary>Leaky ReLU, ELU, Softplus, PReLU and RReLU: the notes' ReLU family f(x) = x for x ≥ 0, αx (or α(eˣ-1))
/// below, where α is fixed, learned or random. Output shape = input shape.</summary>
public static partial class F
{
    /// <summary>max(0, x) + slope·min(0, x); the notes' Leaky ReLU uses slope 0.01 (or 0.1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">negativeSlope is not finite.</exception>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireFinite(negativeSlope, nameof(negativeSlope));
        return ActivateWith(x, new LeakyReluActivation(negativeSlope));
    }

    /// <summary>x for x &gt; 0, α(eˣ - 1) otherwise.</summary>
    /// <exception cref="ArgumentOutOfRangeException">alpha is not finite.</exception>
    public static Tensor Elu(Tensor x, double alpha = 1.0)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireFinite(alpha, nameof(alpha));
        return ActivateWith(x, new EluActivation(alpha));
    }

    /// <summary>log(1 + e^(βx))/β, linear where βx &gt; threshold (PyTorch's defaults β = 1, threshold = 20).</summary>
    /// <exception cref="ArgumentOutOfRangeException">beta is not a positive finite number, or threshold is not finite.</exception>
    public static Tensor Softplus(Tensor x, double beta = 1.0, double threshold = 20.0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(beta > 0) || !double.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a positive finite number");
        RequireFinite(threshold, nameof(threshold));
        return ActivateWith(x, new SoftplusActivation(beta, threshold));
    }

    /// <summary>Randomized ReLU (PyTorch's definition; the notes draw α "from a Gaussian", PyTorch and the RReLU paper
    /// from a uniform range, which is what this does). Training: each element's negative slope is drawn from U(lower, upper) with
    /// <paramref name="rng"/> (one draw per element in row-major order, whatever its sign, so the noise does not
    /// depend on the values); evaluation: the mean slope (lower + upper)/2, i.e. a leaky ReLU.</summary>
    /// <exception cref="ArgumentOutOfRangeException">lower or upper not finite, or lower &gt; upper.</exception>
    /// <exception cref="ArgumentNullException">training without a generator.</exception>
    public static Tensor Rrelu(Tensor x, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireFinite(lower, nameof(lower));
        RequireFinite(upper, nameof(upper));
        if (lower > upper) throw new ArgumentOutOfRangeException(nameof(upper), upper, $"upper must be >= lower ({lower})");
        if (!training) return ActivateWith(x, new LeakyReluActivation((lower + upper) / 2));
        ArgumentNullException.ThrowIfNull(rng);
        var slope = new double[x.Numel];
        for (int i = 0; i < slope.Length; i++) slope[i] = lower + (upper - lower) * rng.NextDouble();
        var input = x.Detach().Contiguous();
        var y = Tensor.Empty(input.ShapeArray, input.DType);
        if (input.DType == DType.Float32) RreluForward<float>(input.Span<float>(), slope, y.Span<float>());
        else RreluForward<double>(input.Span<double>(), slope, y.Span<double>());
        return Graph.Record(y, "rrelu", [x], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.Empty(input.ShapeArray, input.DType);
            // y = x·(x > 0 ? 1 : a) is linear in x for fixed noise a, so dx = dy·(1 or a): the forward with dy.
            if (input.DType == DType.Float32) RreluBackward<float>(input.Span<float>(), slope, dy.Span<float>(), dx.Span<float>());
            else RreluBackward<double>(input.Span<double>(), slope, dy.Span<double>(), dx.Span<double>());
            return [dx];
        });
    }

    private static void RreluForward<T>(ReadOnlySpan<T> x, double[] slope, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? x[i] : x[i] * T.CreateTruncating(slope[i]);
    }

    private static void RreluBackward<T>(ReadOnlySpan<T> x, double[] slope, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : dy[i] * T.CreateTruncating(slope[i]);
    }

    /// <summary>PReLU: y = x for x &gt; 0, a·x otherwise (at 0 the gradient takes the slope, as PyTorch), with a learned slope <paramref name="weight"/>: one shared
    /// value ([1]) or one per channel ([C], channel = dimension 1 of an input of rank ≥ 2).</summary>
    /// <exception cref="ArgumentException">weight is not [1] or [C].</exception>
    public static Tensor Prelu(Tensor x, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.DType != x.DType) throw new ArgumentException($"weight is {weight.DType} but x is {x.DType}", nameof(weight));
        int channels = x.Rank >= 2 ? x.Size(1) : 1;
        if (weight.Rank != 1 || (weight.Numel != 1 && weight.Numel != channels))
            throw new ArgumentException($"weight must be [1] or [{channels}] (one slope per channel of dimension 1); got {ShapeMath.Format(weight.ShapeArray)} for x {ShapeMath.Format(x.ShapeArray)}", nameof(weight));
        var input = x.Detach().Contiguous();
        var w = weight.Detach().Contiguous();
        // Viewed as [outer, c, inner]; one shared slope is a single "channel" spanning the whole tensor.
        int outer = 1, c = 1, inner = x.Numel;
        if (w.Numel > 1)
        {
            (outer, c, inner) = (x.Size(0), channels, 1);
            for (int d = 2; d < x.Rank; d++) inner *= x.Size(d);
        }
        var y = Tensor.Empty(input.ShapeArray, input.DType);
        if (input.DType == DType.Float32) PreluForward<float>(input.Span<float>(), w.Span<float>(), y.Span<float>(), outer, c, inner);
        else PreluForward<double>(input.Span<double>(), w.Span<double>(), y.Span<double>(), outer, c, inner);
        return Graph.Record(y, "prelu", [x, weight], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.Empty(input.ShapeArray, input.DType);
            var dw = Tensor.Empty(w.ShapeArray, w.DType);
            if (input.DType == DType.Float32) PreluBackward<float>(input.Span<float>(), w.Span<float>(), dy.Span<float>(), dx.Span<float>(), dw.Span<float>(), outer, c, inner);
            else PreluBackward<double>(input.Span<double>(), w.Span<double>(), dy.Span<double>(), dx.Span<double>(), dw.Span<double>(), outer, c, inner);
            return [dx, dw];
        });
    }

    private static void PreluForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y, int outer, int c, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0, i = 0; o < outer; o++)
            for (int ch = 0; ch < c; ch++)
                for (int k = 0; k < inner; k++, i++)
                    y[i] = x[i] > T.Zero ? x[i] : w[ch] * x[i];
    }

    private static void PreluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> dy, Span<T> dx, Span<T> dw, int outer, int c, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dw.Clear();
        for (int o = 0, i = 0; o < outer; o++)
            for (int ch = 0; ch < c; ch++)
            {
                T acc = T.Zero;
                for (int k = 0; k < inner; k++, i++)
                {
                    if (x[i] > T.Zero) { dx[i] = dy[i]; continue; }
                    dx[i] = w[ch] * dy[i];
                    acc += x[i] * dy[i];
                }
                dw[ch] += acc;
            }
    }

    private static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number");
    }

    private static Tensor ActivateWith<TAct>(Tensor x, TAct act) where TAct : struct, IScalarActivation
    {
        var input = x.Detach().Contiguous();
        var y = Tensor.Empty(input.ShapeArray, input.DType);
        if (input.DType == DType.Float32) MapValue<float, TAct>(act, input.Span<float>(), y.Span<float>());
        else MapValue<double, TAct>(act, input.Span<double>(), y.Span<double>());
        var output = y.Detach();
        return Graph.Record(y, act.Name, [x], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.Empty(input.ShapeArray, input.DType);
            if (input.DType == DType.Float32) MapDerivative<float, TAct>(act, input.Span<float>(), output.Span<float>(), dy.Span<float>(), dx.Span<float>());
            else MapDerivative<double, TAct>(act, input.Span<double>(), output.Span<double>(), dy.Span<double>(), dx.Span<double>());
            return [dx];
        });
    }

    private static void MapValue<T, TAct>(TAct act, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> where TAct : struct, IScalarActivation
    {
        for (int i = 0; i < x.Length; i++) y[i] = act.Value(x[i]);
    }

    private static void MapDerivative<T, TAct>(TAct act, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> where TAct : struct, IScalarActivation
    {
        for (int i = 0; i < x.Length; i++) dx[i] = dy[i] * act.Derivative(x[i], y[i]);
    }
}
