using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>
/// Stochastic gradient descent with momentum and L2 weight decay, with PyTorch's exact update:
/// g ← ∇ + λθ;  v ← μv + (1-τ)g (v = g on the first step);  g ← g + μv if Nesterov else v;  θ ← θ - ηg.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor?[] _velocity;
    private double _lr;

    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double weightDecay = 0, double dampening = 0, bool nesterov = false)
        : base(parameters)
    {
        LearningRate = lr;
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum must be >= 0; got {momentum}");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be >= 0; got {weightDecay}");
        if (!(dampening >= 0 && dampening <= 1)) throw new ArgumentOutOfRangeException(nameof(dampening), $"dampening must be in [0, 1]; got {dampening}");
        if (nesterov && (momentum == 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening 0", nameof(nesterov));
        Momentum = momentum; WeightDecay = weightDecay; Dampening = dampening; Nesterov = nesterov;
        _velocity = new Tensor?[Parameters.Count];
    }

    public override double LearningRate
    {
        get => _lr;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value), $"learning rate must be a finite number >= 0; got {value}");
            _lr = value;
        }
    }

    public double Momentum { get; }
    public double WeightDecay { get; }
    public double Dampening { get; }
    public bool Nesterov { get; }

    /// <summary>Momentum buffers, one per parameter (null until that parameter's first step); for checkpoints.</summary>
    public IReadOnlyList<Tensor?> Velocity => _velocity;

    /// <summary>Restores momentum buffers saved from <see cref="Velocity"/> (a checkpoint), checking their shapes.</summary>
    public void LoadVelocity(IReadOnlyList<Tensor?> velocity)
    {
        ArgumentNullException.ThrowIfNull(velocity);
        if (velocity.Count != Parameters.Count)
            throw new ArgumentException($"got {velocity.Count} momentum buffers for {Parameters.Count} parameters", nameof(velocity));
        for (int i = 0; i < velocity.Count; i++)
        {
            var v = velocity[i];
            if (v is not null && !v.Shape.SequenceEqual(Parameters[i].Shape))
                throw new ArgumentException($"momentum buffer {i} has shape {ShapeMath.Format(v.Shape)}, parameter has {ShapeMath.Format(Parameters[i].Shape)}", nameof(velocity));
            _velocity[i] = v?.To(Parameters[i].DType).Clone();
        }
    }

    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is null) continue;
            if (p.DType == DType.Float32) Update<float>(i, p);
            else Update<double>(i, p);
        }
    }

    private void Update<T>(int i, Tensor p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var theta = p.Span<T>();
        var grad = p.Grad!.To(p.DType).Contiguous().Span<T>();
        Span<T> g = grad;
        T[]? scratch = null;
        if (WeightDecay != 0)
        {
            scratch = new T[theta.Length];
            TensorPrimitives.MultiplyAdd<T>(theta, T.CreateChecked(WeightDecay), grad, scratch);
            g = scratch;
        }
        if (Momentum != 0)
        {
            var buf = _velocity[i];
            if (buf is null)
            {
                buf = _velocity[i] = Tensor.Zeros(p.ShapeArray, p.DType);
                g.CopyTo(buf.Span<T>());
            }
            else
            {
                var v = buf.Span<T>();
                // v = μv + (1-τ)g
                TensorPrimitives.Multiply<T>(v, T.CreateChecked(Momentum), v);
                TensorPrimitives.MultiplyAdd<T>(g, T.CreateChecked(1 - Dampening), v, v);
            }
            if (Nesterov)
            {
                scratch ??= new T[theta.Length];
                TensorPrimitives.MultiplyAdd<T>(buf.Span<T>(), T.CreateChecked(Momentum), g, scratch);
                g = scratch;
            }
            else g = buf.Span<T>();
        }
        TensorPrimitives.MultiplyAdd<T>(g, T.CreateChecked(-_lr), theta, theta);
    }
}
