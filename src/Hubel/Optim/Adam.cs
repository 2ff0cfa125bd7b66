using System.Numerics;
using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>
/// Adam with PyTorch's exact update (torch.optim.Adam, single-tensor path), t counting this parameter's steps:
/// g ← ∇ + λθ;  m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  v̂ ← max(v̂, v) with AMSGrad, else v̂ = v;
/// θ ← θ - (η / (1-β₁ᵗ)) · m / (√v̂ / √(1-β₂ᵗ) + ε).
/// </summary>
public class Adam : Optimizer
{
    private const string ExpAvg = "exp_avg", ExpAvgSq = "exp_avg_sq", MaxExpAvgSq = "max_exp_avg_sq";
    private readonly bool _decoupledDecay;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false)
        : this(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupledDecay: false) { }

    private protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupledDecay)
        : base(parameters)
    {
        LearningRate = lr;
        RequireUnitInterval(beta1, nameof(beta1));
        RequireUnitInterval(beta2, nameof(beta2));
        RequireNonNegative(eps, nameof(eps));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay; AmsGrad = amsgrad;
        _decoupledDecay = decoupledDecay;
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public bool AmsGrad { get; }

    protected override void Update<T>(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        double step = StepCount(index);
        T b1 = T.CreateChecked(Beta1), b2 = T.CreateChecked(Beta2), wd = T.CreateChecked(WeightDecay);
        T oneMinusB1 = T.CreateChecked(1 - Beta1), oneMinusB2 = T.CreateChecked(1 - Beta2), eps = T.CreateChecked(Eps);
        // PyTorch computes these scalars in double (Python floats) and then applies them in the tensor's type.
        T stepSize = T.CreateChecked(LearningRate / (1 - Math.Pow(Beta1, step)));
        T correction2Sqrt = T.CreateChecked(Math.Sqrt(1 - Math.Pow(Beta2, step)));
        T decay = T.CreateChecked(1 - LearningRate * WeightDecay);
        var m = Buffer<T>(ExpAvg, index);
        var v = Buffer<T>(ExpAvgSq, index);
        var vMax = AmsGrad ? Buffer<T>(MaxExpAvgSq, index) : default;
        for (int j = 0; j < theta.Length; j++)
        {
            T g = grad[j];
            if (_decoupledDecay) theta[j] *= decay;
            else if (WeightDecay != 0) g += wd * theta[j];
            m[j] = m[j] * b1 + oneMinusB1 * g;
            v[j] = v[j] * b2 + oneMinusB2 * (g * g);
            T second = v[j];
            if (AmsGrad) second = vMax[j] = T.Max(vMax[j], v[j]);
            T denom = T.Sqrt(second) / correction2Sqrt + eps;
            theta[j] += -stepSize * (m[j] / denom);
        }
    }
}

/// <summary>
/// AdamW (torch.optim.AdamW): Adam whose weight decay is decoupled from the gradient, θ ← θ(1 - ηλ) before the Adam
/// update, instead of being added to the gradient. PyTorch's default decay is 0.01.
/// </summary>
public sealed class AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
    double weightDecay = 1e-2, bool amsgrad = false)
    : Adam(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupledDecay: true);
