using System.Numerics;
using Hubel.Analysis;
using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>Updates parameters from their gradients. <see cref="Step"/> runs outside the autograd tape. Subclasses
/// keep their per-parameter buffers (momentum, moment estimates, ...) through Buffer, so every
/// optimiser's state can be listed by name (<see cref="NamedState"/>) for checkpoints and restored exactly.</summary>
public abstract class Optimizer
{
    private readonly SortedDictionary<string, Tensor?[]> _buffers = new(StringComparer.Ordinal);
    private readonly long[] _steps;

    protected Optimizer(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
        foreach (var p in Parameters)
            if (!p.IsLeaf || !p.IsContiguous)
                throw new ArgumentException("optimizers update leaf, contiguous tensors (module parameters)", nameof(parameters));
        _steps = new long[Parameters.Count];
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    private double _lr;

    /// <summary>Learning rate; schedules change it between steps.</summary>
    public virtual double LearningRate
    {
        get => _lr;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value), $"learning rate must be a finite number >= 0; got {value}");
            _lr = value;
        }
    }

    /// <summary>How many updates parameter <paramref name="index"/> has had (PyTorch's per-parameter state["step"]).</summary>
    public long StepCount(int index) => _steps[index];

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        long clock = OpProfiler.Start();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is null) continue;
            _steps[i]++;
            var grad = p.Grad.To(p.DType).Contiguous();
            if (p.DType == DType.Float32) Update<float>(i, p.Span<float>(), grad.Span<float>());
            else Update<double>(i, p.Span<double>(), grad.Span<double>());
        }
        OpProfiler.Stop(OpProfiler.OptimizerPhase, GetType().Name.ToLowerInvariant() + " step", clock);
    }

    /// <summary>Updates parameter <paramref name="index"/> in place; <see cref="StepCount"/> already counts this step.
    /// <paramref name="grad"/> may be the gradient's own memory: read it, never write it.</summary>
    protected abstract void Update<T>(int index, Span<T> theta, ReadOnlySpan<T> grad) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Per-parameter buffer <paramref name="name"/> of parameter <paramref name="index"/>, created filled with
    /// <paramref name="initial"/> on first use. <paramref name="created"/> says whether it was just created.</summary>
    protected Span<T> Buffer<T>(string name, int index, out bool created, double initial = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!_buffers.TryGetValue(name, out var list)) _buffers[name] = list = new Tensor?[Parameters.Count];
        created = list[index] is null;
        list[index] ??= Tensor.Full(Parameters[index].ShapeArray, initial, Parameters[index].DType);
        return list[index]!.Span<T>();
    }

    protected Span<T> Buffer<T>(string name, int index, double initial = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        Buffer<T>(name, index, out _, initial);

    /// <summary>The buffers named <paramref name="name"/>, one per parameter (null where none exists yet).</summary>
    protected IReadOnlyList<Tensor?> Buffers(string name) =>
        _buffers.TryGetValue(name, out var list) ? list : new Tensor?[Parameters.Count];

    /// <summary>Everything <see cref="Step"/> depends on besides hyper-parameters and the learning rate, by name:
    /// "step" (update counts, one per parameter, float64) and "&lt;index&gt;.&lt;buffer&gt;" for each buffer that exists.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedState()
    {
        yield return ("step", Tensor.FromArray(_steps.Select(s => (double)s).ToArray(), [_steps.Length]));
        foreach (var (name, list) in _buffers)
            for (int i = 0; i < list.Length; i++)
                if (list[i] is { } t) yield return ($"{i}.{name}", t);
    }

    /// <summary>Restores state saved by <see cref="NamedState"/> (replacing all current state), checking counts and shapes.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var steps = new long[_steps.Length];
        if (state.TryGetValue("step", out var s))
        {
            if (s.Rank != 1 || s.Size(0) != _steps.Length)
                throw new ArgumentException($"optimizer state 'step' has shape {ShapeMath.Format(s.Shape)}; expected [{_steps.Length}]", nameof(state));
            var values = s.ToDoubleArray();
            for (int i = 0; i < values.Length; i++)
            {
                if (!(values[i] >= 0 && values[i] <= 1e15 && values[i] == Math.Floor(values[i])))
                    throw new ArgumentException($"optimizer state 'step' holds {values[i]}; expected whole numbers >= 0", nameof(state));
                steps[i] = (long)values[i];
            }
        }
        var buffers = new SortedDictionary<string, Tensor?[]>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            if (key == "step") continue;
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot < 1 || !int.TryParse(key.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i) || i >= Parameters.Count)
                throw new ArgumentException($"optimizer state '{key}' does not name a parameter index below {Parameters.Count}", nameof(state));
            if (!value.Shape.SequenceEqual(Parameters[i].Shape))
                throw new ArgumentException($"optimizer state '{key}' has shape {ShapeMath.Format(value.Shape)}, parameter {i} has {ShapeMath.Format(Parameters[i].Shape)}", nameof(state));
            string name = key[(dot + 1)..];
            if (!buffers.TryGetValue(name, out var list)) buffers[name] = list = new Tensor?[Parameters.Count];
            list[i] = value.To(Parameters[i].DType).Contiguous().Clone();
        }
        steps.CopyTo(_steps, 0);
        _buffers.Clear();
        foreach (var (name, list) in buffers) _buffers[name] = list;
    }

    /// <summary>Drops gradients (set to null, as PyTorch's zero_grad(set_to_none=True)), or with
    /// <paramref name="setToNone"/> false fills the existing ones with zeros in place (PyTorch 1.13's default), so the next
    /// backward accumulates into the same storage instead of allocating it again.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        long clock = OpProfiler.Start();
        foreach (var p in Parameters)
        {
            if (setToNone || p.Grad is null) p.Grad = null;
            else if (p.Grad.IsContiguous && p.Grad.DType == DType.Float32) p.Grad.Span<float>().Clear();
            else if (p.Grad.IsContiguous) p.Grad.Span<double>().Clear();
            else p.Grad = null;
        }
        OpProfiler.Stop(OpProfiler.OptimizerPhase, "zero_grad", clock);
    }

    /// <summary>The per-parameter buffers that exist (momentum, moments, ...), without the step counts.</summary>
    internal IEnumerable<Tensor> BufferTensors()
    {
        foreach (var list in _buffers.Values)
            foreach (var t in list)
                if (t is not null) yield return t;
    }

    protected static void RequireNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, $"{name} must be a finite number >= 0; got {value}");
    }

    protected static void RequireUnitInterval(double value, string name)
    {
        if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(name, $"{name} must be in [0, 1); got {value}");
    }

    protected static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, $"{name} must be a finite number > 0; got {value}");
    }
}
