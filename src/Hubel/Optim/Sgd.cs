using System.Numerics;
using System.Runtime.Intrinsics;
using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>
/// Stochastic gradient descent with momentum and L2 weight decay, with PyTorch's exact update:
/// g ← ∇ + λθ;  v ← μv + (1-τ)g (v = g on the first step);  g ← g + μv if Nesterov else v;  θ ← θ - ηg.
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string MomentumBuffer = "momentum_buffer";

    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double weightDecay = 0, double dampening = 0, bool nesterov = false)
        : base(parameters)
    {
        LearningRate = lr;
        RequireNonNegative(momentum, nameof(momentum));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        if (!(dampening >= 0 && dampening <= 1)) throw new ArgumentOutOfRangeException(nameof(dampening), $"dampening must be in [0, 1]; got {dampening}");
        if (nesterov && (momentum == 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening 0", nameof(nesterov));
        Momentum = momentum; WeightDecay = weightDecay; Dampening = dampening; Nesterov = nesterov;
    }

    public double Momentum { get; }
    public double WeightDecay { get; }
    public double Dampening { get; }
    public bool Nesterov { get; }

    /// <summary>Momentum buffers, one per parameter (null until that parameter's first step with momentum).</summary>
    public IReadOnlyList<Tensor?> Velocity => Buffers(MomentumBuffer);

    protected override void Update<T>(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        T lr = T.CreateChecked(LearningRate), wd = T.CreateChecked(WeightDecay), mu = T.CreateChecked(Momentum);
        T keep = T.CreateChecked(1 - Dampening);
        bool first = false;
        Span<T> v = Momentum != 0 ? Buffer<T>(MomentumBuffer, index, out first) : default;
        // One pass, eight (four) elements at a time: the same multiplies and adds in the same order as the scalar tail
        // (no fused multiply-add), so every element rounds exactly as PyTorch's per-element update.
        int j = 0;
        if (Vector256.IsHardwareAccelerated && theta.Length >= Vector256<T>.Count)
        {
            var lrv = Vector256.Create(lr); var wdv = Vector256.Create(wd); var muv = Vector256.Create(mu); var keepv = Vector256.Create(keep);
            for (; j <= theta.Length - Vector256<T>.Count; j += Vector256<T>.Count)
            {
                var t = Vector256.Create((ReadOnlySpan<T>)theta.Slice(j));
                var g = Vector256.Create(grad.Slice(j));
                if (WeightDecay != 0) g += wdv * t;
                if (Momentum != 0)
                {
                    var vj = first ? g : muv * Vector256.Create((ReadOnlySpan<T>)v.Slice(j)) + keepv * g;
                    vj.CopyTo(v.Slice(j));
                    g = Nesterov ? g + muv * vj : vj;
                }
                (t - lrv * g).CopyTo(theta.Slice(j));
            }
        }
        for (; j < theta.Length; j++)
        {
            T g = WeightDecay != 0 ? grad[j] + wd * theta[j] : grad[j];
            if (Momentum != 0)
            {
                v[j] = first ? g : mu * v[j] + keep * g;
                g = Nesterov ? g + mu * v[j] : v[j];
            }
            theta[j] -= lr * g;
        }
    }
}
