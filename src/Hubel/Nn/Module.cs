using System.Text;
using Hubel.Tensors;

namespace Hubel.Nn;

/// <summary>
/// A layer or a network: holds parameters and child modules registered by name, so that
/// <see cref="NamedParameters"/> yields PyTorch-style names ("conv1.weight", "features.0.bias") for
/// checkpoints and interchange. Registration is explicit (no reflection), which keeps trimming and
/// NativeAOT clean. Users never dispose anything: tensors are managed memory.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = [];
    private readonly List<(string Name, Module Value)> _children = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];

    /// <summary>The computation. Layers keep it to a line or two that call <see cref="Hubel.Ops.F"/>.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Runs <see cref="Forward"/> and, while a <see cref="ForwardTrace"/> is recording, notes this module's
    /// output (PyTorch's __call__ with forward hooks). Containers call their children through this, so
    /// <c>hubel summary</c> sees every layer.</summary>
    public Tensor Call(Tensor input)
    {
        var output = Forward(input);
        ForwardTrace.Current?.Record(this, input, output);
        return output;
    }

    /// <summary>Inference: <see cref="Forward"/> without the tape, every intermediate tensor's storage recycled for the next
    /// call (a <see cref="MemoryScope"/> that keeps only the output). Batch-1 LeNet-5 otherwise allocates 40.8 KB a call
    /// (8.2 KB this way) and ResNet-20 894 KB (91 KB), and LeNet-5 spent 13 % of its latency on it. The output stays valid;
    /// the mode is left as it is (call <see cref="Eval"/> first for inference-mode dropout and batch norm). While a <see cref="ForwardTrace"/>
    /// records layer outputs, nothing is recycled (the trace holds them).</summary>
    public Tensor Predict(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var noGrad = Autograd.Graph.NoGrad();
        if (ForwardTrace.Current is not null) return Forward(input);
        using var scope = MemoryScope.Begin();
        return scope.Keep(Forward(input))!;
    }

    /// <summary>This module ("" ) and every descendant with its dotted path, depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedModules(prefix.Length == 0 ? name : prefix + "." + name))
                yield return item;
    }

    /// <summary>Parameters registered on this module itself (not its children).</summary>
    public IEnumerable<Tensor> OwnParameters() => _parameters.Select(p => p.Value);

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Sets training mode here and in every child; returns this for chaining.</summary>
    public Module Train(bool on = true)
    {
        IsTraining = on;
        foreach (var (_, child) in _children) child.Train(on);
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Registers a trainable tensor under <paramref name="name"/> and marks it as requiring grad.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        value.RequiresGrad = true;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers state that is saved with the model but not trained (batch norm's running_mean,
    /// running_var, num_batches_tracked). Buffers never require grad; layers update them in place.</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(value);
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid module or parameter name (non-empty, no dots)", nameof(name));
        if (_parameters.Any(p => p.Name == name) || _children.Any(c => c.Name == name) || _buffers.Any(b => b.Name == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}", nameof(name));
    }

    public IReadOnlyList<(string Name, Module Module)> Children => _children;

    /// <summary>Every parameter with its dotted path, depth first in registration order (as PyTorch's state_dict).</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (prefix + name, p);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedParameters(prefix + name + "."))
                yield return item;
    }

    /// <summary>Every buffer with its dotted path, depth first in registration order.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return (prefix + name, b);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedBuffers(prefix + name + "."))
                yield return item;
    }

    /// <summary>Parameters and buffers in PyTorch's state_dict order (each module's parameters, then its buffers,
    /// then its children): what a checkpoint must save for the model to evaluate the same after loading.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedState(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (prefix + name, p);
        foreach (var (name, b) in _buffers) yield return (prefix + name, b);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedState(prefix + name + "."))
                yield return item;
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>The parameters that require grad: all of them unless some were frozen (RequiresGrad cleared, e.g. an
    /// <see cref="Layers.Embedding.FromPretrained"/> table), as PyTorch's filter(lambda p: p.requires_grad, ...).
    /// Optimisers may be given all parameters anyway: a frozen one never gets a gradient, so they skip it.</summary>
    public IEnumerable<Tensor> TrainableParameters() => Parameters().Where(p => p.RequiresGrad);

    public long ParameterCount() => Parameters().Sum(p => (long)p.Numel);

    /// <summary>Clears the accumulated gradients of all parameters.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>Copies values into the parameters by name. With <paramref name="strict"/>, missing or unexpected
    /// names and shape mismatches throw, listing them.</summary>
    public void LoadParameters(IReadOnlyDictionary<string, Tensor> values, bool strict = true) => Load(NamedParameters(), values, strict);

    /// <summary>Like <see cref="LoadParameters"/> over parameters and buffers (<see cref="NamedState"/>): restores a
    /// checkpoint saved from NamedState, batch-norm running statistics included.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> values, bool strict = true) => Load(NamedState(), values, strict);

    private static void Load(IEnumerable<(string Name, Tensor Value)> state, IReadOnlyDictionary<string, Tensor> values, bool strict)
    {
        ArgumentNullException.ThrowIfNull(values);
        var mine = state.ToDictionary(p => p.Name, p => p.Value);
        if (strict)
        {
            var missing = mine.Keys.Except(values.Keys).ToList();
            var unexpected = values.Keys.Except(mine.Keys).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"parameters do not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]", nameof(values));
        }
        foreach (var (name, target) in mine)
        {
            if (!values.TryGetValue(name, out var source)) continue;
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException($"parameter '{name}' has shape {ShapeMath.Format(source.Shape)} in the file but {ShapeMath.Format(target.Shape)} in the model", nameof(values));
            target.CopyFrom(source);
        }
    }

    /// <summary>Options that differ from the defaults, shown by <see cref="ToString"/> (PyTorch's extra_repr).</summary>
    public virtual string ExtraRepr() => "";

    public override string ToString()
    {
        var sb = new StringBuilder();
        Describe(sb, 0);
        return sb.ToString();
    }

    private void Describe(StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr());
        if (_children.Count == 0) { sb.Append(')'); return; }
        sb.AppendLine();
        foreach (var (name, child) in _children)
        {
            sb.Append(' ', indent + 2).Append('(').Append(name).Append("): ");
            child.Describe(sb, indent + 2);
            sb.AppendLine();
        }
        sb.Append(' ', indent).Append(')');
    }
}
