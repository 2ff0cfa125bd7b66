using System.Numerics;
using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>
/// AdaGrad with PyTorch's exact update (torch.optim.Adagrad), t counting this parameter's steps:
/// g ← ∇ + λθ;  η_t = η / (1 + (t-1)·decay);  s ← s + g²;  θ ← θ - η_t · g / (√s + ε). s starts at initialAccumulatorValue.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private const string Sum = "sum";

    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(parameters)
    {
        LearningRate = lr;
        RequireNonNegative(lrDecay, nameof(lrDecay));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        RequireNonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        RequireNonNegative(eps, nameof(eps));
        LrDecay = lrDecay; WeightDecay = weightDecay; InitialAccumulatorValue = initialAccumulatorValue; Eps = eps;
    }

    public double LrDecay { get; }
    public double WeightDecay { get; }
    public double InitialAccumulatorValue { get; }
    public double Eps { get; }

    protected override void Update<T>(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        T clr = T.CreateChecked(LearningRate / (1 + (StepCount(index) - 1) * LrDecay));
        T wd = T.CreateChecked(WeightDecay), eps = T.CreateChecked(Eps);
        var s = Buffer<T>(Sum, index, InitialAccumulatorValue);
        for (int j = 0; j < theta.Length; j++)
        {
            T g = WeightDecay != 0 ? grad[j] + wd * theta[j] : grad[j];
            s[j] += g * g;
            theta[j] += -clr * (g / (T.Sqrt(s[j]) + eps));
        }
    }
}
