using System.Numerics;
using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>
/// RMSprop with PyTorch's exact update (torch.optim.RMSprop): g ← ∇ + λθ;  s ← αs + (1-α)g²;
/// centered: a ← αa + (1-α)g, d = √(s - a²) + ε, else d = √s + ε;  with momentum μ > 0: b ← μb + g/d, θ ← θ - ηb;
/// otherwise θ ← θ - η·g/d.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private const string SquareAvg = "square_avg", GradAvg = "grad_avg", MomentumBuffer = "momentum_buffer";

    public RmsProp(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false)
        : base(parameters)
    {
        LearningRate = lr;
        RequireNonNegative(alpha, nameof(alpha));
        if (alpha > 1) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha must be in [0, 1]; got {alpha}");
        RequireNonNegative(eps, nameof(eps));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        RequireNonNegative(momentum, nameof(momentum));
        Alpha = alpha; Eps = eps; WeightDecay = weightDecay; Momentum = momentum; Centered = centered;
    }

    public double Alpha { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public double Momentum { get; }
    public bool Centered { get; }

    protected override void Update<T>(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        T alpha = T.CreateChecked(Alpha), oneMinusAlpha = T.CreateChecked(1 - Alpha), eps = T.CreateChecked(Eps);
        T wd = T.CreateChecked(WeightDecay), mu = T.CreateChecked(Momentum), lr = T.CreateChecked(LearningRate);
        var s = Buffer<T>(SquareAvg, index);
        var a = Centered ? Buffer<T>(GradAvg, index) : default;
        var b = Momentum > 0 ? Buffer<T>(MomentumBuffer, index) : default;
        for (int j = 0; j < theta.Length; j++)
        {
            T g = WeightDecay != 0 ? grad[j] + wd * theta[j] : grad[j];
            s[j] = s[j] * alpha + oneMinusAlpha * (g * g);
            T avg;
            if (Centered)
            {
                a[j] = a[j] * alpha + oneMinusAlpha * g;
                avg = T.Sqrt(s[j] - a[j] * a[j]);
            }
            else avg = T.Sqrt(s[j]);
            avg += eps;
            if (Momentum > 0)
            {
                b[j] = b[j] * mu + g / avg;
                theta[j] += -lr * b[j];
            }
            else theta[j] += -lr * (g / avg);
        }
    }
}
