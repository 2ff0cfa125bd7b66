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

    protected override unsafe void Update<T>(int index, Span<T> theta, ReadOnlySpan<T> grad)
    {
        var step = new Step<T>(T.CreateChecked(LearningRate), T.CreateChecked(WeightDecay), T.CreateChecked(Momentum),
            T.CreateChecked(1 - Dampening), WeightDecay != 0, Momentum != 0, Nesterov);
        bool first = false;
        Span<T> v = Momentum != 0 ? Buffer<T>(MomentumBuffer, index, out first) : default;
        if (grad.Length < theta.Length || (step.UseMomentum && v.Length < theta.Length))
            throw new ArgumentException("gradient and momentum buffers must be as long as the parameter");
        fixed (T* tp = theta, gp = grad, vp = v)
        {
            // Large parameters (network3's 64,000-weight fc1) are split over the workers: one core spent 4-5 % of a batch-10
            // training step here while the other waited. Every element's update is independent, so the result is the same.
            if (theta.Length >= 2 * ParallelChunk)
            {
                nint t = (nint)tp, g = (nint)gp, m = (nint)vp;
                bool firstStep = first;
                Backends.Cpu.CpuThreads.For(theta.Length, (a, b) => step.Apply((T*)t, (T*)g, (T*)m, a, b, firstStep), minPerWorker: ParallelChunk);
            }
            else step.Apply(tp, gp, vp, 0, theta.Length, first);
        }
    }

    /// <summary>Elements per worker below which an update stays on one thread.</summary>
    private const int ParallelChunk = 1 << 14;

    private readonly record struct Step<T>(T Lr, T Wd, T Mu, T Keep, bool Decay, bool UseMomentum, bool Nesterov)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Elements [start, end): eight (four) at a time, the same multiplies and adds in the same order as the
        /// scalar tail (no fused multiply-add), so every element rounds exactly as PyTorch's per-element update.</summary>
        public unsafe void Apply(T* theta, T* grad, T* v, int start, int end, bool first)
        {
            int j = start;
            if (Vector256.IsHardwareAccelerated)
            {
                var lrv = Vector256.Create(Lr); var wdv = Vector256.Create(Wd); var muv = Vector256.Create(Mu); var keepv = Vector256.Create(Keep);
                for (; j <= end - Vector256<T>.Count; j += Vector256<T>.Count)
                {
                    var t = Vector256.Load(theta + j);
                    var g = Vector256.Load(grad + j);
                    if (Decay) g += wdv * t;
                    if (UseMomentum)
                    {
                        var vj = first ? g : muv * Vector256.Load(v + j) + keepv * g;
                        vj.Store(v + j);
                        g = Nesterov ? g + muv * vj : vj;
                    }
                    (t - lrv * g).Store(theta + j);
                }
            }
            for (; j < end; j++)
            {
                T g = Decay ? grad[j] + Wd * theta[j] : grad[j];
                if (UseMomentum)
                {
                    v[j] = first ? g : Mu * v[j] + Keep * g;
                    g = Nesterov ? g + Mu * v[j] : v[j];
                }
                theta[j] -= Lr * g;
            }
        }
    }
}
