using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

/// <summary>An imported ONNX graph run as a Hubel module: each node executes through <see cref="Hubel.Ops.F"/>, so the
/// module trains, traces and summarises like any other. Float initializers become parameters under their (sanitised)
/// names, so <see cref="Module.NamedState"/> of a model exported by Hubel matches the original's.
/// <para>The file is untrusted: the constructor checks the opset, every tensor's type/dims/size, that every node is a
/// supported op with valid attributes whose inputs are produced before it (topological order, hence no cycles), and that
/// there is exactly one float input and one output. Failures raise <see cref="InvalidDataException"/>.</para></summary>
public sealed class OnnxModule : Module
{
    /// <summary>Most nodes accepted in one graph (far above any CNN in the zoo; bounds work on hostile files).</summary>
    public const int MaxNodes = 100_000;

    private readonly List<(OnnxNodeProto Node, OnnxNodeAttributes Attributes)> _nodes = [];
    private readonly Dictionary<string, Tensor> _weights = [];
    private readonly Dictionary<string, long[]> _ints = [];
    private readonly Dictionary<string, Module> _holders = [];
    private readonly OnnxModelProto _source;

    /// <summary>Parses and validates ONNX bytes.</summary>
    public static OnnxModule FromBytes(ReadOnlySpan<byte> bytes) => new(OnnxProtoReader.Parse(bytes));

    /// <summary>Reads and validates an .onnx file.</summary>
    public static OnnxModule Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var length = new FileInfo(path).Length;
        if (length > Array.MaxLength) throw new InvalidDataException($"'{path}' is {length} bytes; ONNX files above 2 GB (external data) are not supported");
        return FromBytes(File.ReadAllBytes(path));
    }

    /// <param name="weightsFollow">float initializers may carry no data; they start as zeros and the caller loads
    /// them with <see cref="Module.LoadState"/> (how a Hubel model file stores an imported graph).</param>
    public OnnxModule(OnnxModelProto model, bool weightsFollow = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckOpset(model);
        _source = model;
        var g = model.Graph;
        if (g.Nodes.Count > MaxNodes) throw new InvalidDataException($"ONNX graph has {g.Nodes.Count} nodes; at most {MaxNodes} are supported");
        var defined = new HashSet<string>();
        foreach (var init in g.Initializers)
        {
            if (init.Name.Length == 0) throw new InvalidDataException("ONNX initializer without a name");
            if (!defined.Add(init.Name)) throw new InvalidDataException($"ONNX initializer '{init.Name}' is defined twice");
            if (init.DataType is OnnxDataType.Int64 or OnnxDataType.Int32) _ints[init.Name] = OnnxTensors.ToInt64(init);
            else
            {
                var t = weightsFollow && init.RawData is { Length: 0 } && init.DataType is OnnxDataType.Float or OnnxDataType.Double
                    ? Tensor.Zeros(OnnxTensors.Shape(init), init.DataType == OnnxDataType.Double ? DType.Float64 : DType.Float32)
                    : OnnxTensors.ToTensor(init);
                _weights[init.Name] = Register(init.Name, t);
            }
        }
        var inputs = g.Inputs.Where(i => !defined.Contains(i.Name)).ToList();
        if (inputs.Count != 1) throw new InvalidDataException($"ONNX graph must have exactly one data input besides its initializers; it has {inputs.Count}");
        if (g.Outputs.Count != 1) throw new InvalidDataException($"ONNX graph must have exactly one output; it has {g.Outputs.Count}");
        var input = inputs[0];
        if (input.ElemType is not ((int)OnnxDataType.Float or (int)OnnxDataType.Double))
            throw new InvalidDataException($"ONNX input '{input.Name}' has element type {input.ElemType}; only float32 (1) and float64 (11) are supported");
        if (input.Shape.Count > 8) throw new InvalidDataException($"ONNX input '{input.Name}' has rank {input.Shape.Count}; at most 8");
        foreach (var d in input.Shape)
            if (d is < 0 or > int.MaxValue) throw new InvalidDataException($"ONNX input '{input.Name}' has dimension {d}; must be in [0, {int.MaxValue}]");
        InputName = input.Name;
        InputShape = input.HasShape ? input.Shape.Select(d => d is { } v ? (int?)(int)v : null).ToArray() : null;
        defined.Add(InputName);
        foreach (var node in g.Nodes)
        {
            var attributes = OnnxOpRunner.Check(node, name => _ints.ContainsKey(name), name => _weights.GetValueOrDefault(name));
            foreach (var name in node.Inputs)
                if (name.Length > 0 && !defined.Contains(name))
                    throw new InvalidDataException($"ONNX node '{node.Name}' ({node.OpType}) reads '{name}', which no graph input, initializer or earlier node provides (missing input, or nodes not in topological order / a cycle)");
            foreach (var name in node.Outputs)
                if (name.Length == 0 || !defined.Add(name)) throw new InvalidDataException($"ONNX node '{node.Name}' ({node.OpType}) output '{name}' is empty or already defined");
            if (node.OpType == "Constant") RecordConstant(node, attributes);
            _nodes.Add((node, attributes));
        }
        OutputName = g.Outputs[0].Name;
        if (!defined.Contains(OutputName)) throw new InvalidDataException($"ONNX graph output '{OutputName}' is never produced");
        Eval();
    }

    public string InputName { get; }
    public string OutputName { get; }

    /// <summary>The declared input shape, batch first; null entries are symbolic (any size). Null when undeclared.</summary>
    public IReadOnlyList<int?>? InputShape { get; }

    /// <summary>The graph as loaded, with the current weights (after training or LoadState) as initializers: exporting an
    /// imported model writes its own graph back rather than re-tracing ops that no longer know their layer.</summary>
    public OnnxModelProto ToProto()
    {
        var copy = OnnxProtoReader.Parse(OnnxProtoWriter.Write(_source));
        copy.ProducerName = "hubel";
        for (int i = 0; i < copy.Graph.Initializers.Count; i++)
            if (_weights.TryGetValue(copy.Graph.Initializers[i].Name, out var t))
                copy.Graph.Initializers[i] = OnnxTensors.FromTensor(copy.Graph.Initializers[i].Name, t);
        foreach (var node in copy.Graph.Nodes.Where(n => n.OpType == "Constant" && _weights.ContainsKey(n.Outputs[0])))
            node.Attributes[0] = new OnnxAttribute { Name = "value", Type = OnnxAttributeType.Tensor, T = OnnxTensors.FromTensor("", _weights[node.Outputs[0]]) };
        return copy;
    }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (InputShape is { } shape)
        {
            bool fits = input.Rank == shape.Count;
            for (int i = 0; fits && i < shape.Count; i++) fits = shape[i] is not { } d || d == input.Size(i);
            if (!fits) throw new ArgumentException($"input shape {ShapeMath.Format(input.Shape)} does not fit the ONNX input [{string.Join(", ", shape.Select(d => d?.ToString() ?? "?"))}]", nameof(input));
        }
        var values = new Dictionary<string, object> { [InputName] = input };
        foreach (var (name, t) in _weights) values[name] = t;
        foreach (var (name, v) in _ints) values[name] = v;
        foreach (var (node, attributes) in _nodes)
        {
            if (node.OpType == "Constant") continue;
            var args = node.Inputs.Select(n => n.Length == 0 ? null : values[n]).ToArray();
            values[node.Outputs[0]] = OnnxOpRunner.Run(node, attributes, args);
        }
        return values[OutputName] as Tensor ?? throw new InvalidDataException($"ONNX output '{OutputName}' is an integer tensor, not a float one");
    }

    private void RecordConstant(OnnxNodeProto node, OnnxNodeAttributes attributes)
    {
        var t = attributes.Tensor("value");
        if (t.DataType is OnnxDataType.Int64 or OnnxDataType.Int32) _ints[node.Outputs[0]] = OnnxTensors.ToInt64(t);
        else _weights[node.Outputs[0]] = Register(node.Outputs[0], OnnxTensors.ToTensor(t));
    }

    /// <summary>Registers a weight under its dotted name through holder modules, so NamedState yields the same name;
    /// characters a module name cannot hold become '_'.</summary>
    private Tensor Register(string name, Tensor value)
    {
        var parts = name.Split('.').Select(Sanitize).ToArray();
        Module owner = this;
        string path = "";
        for (int i = 0; i < parts.Length - 1; i++)
        {
            path = path.Length == 0 ? parts[i] : path + "." + parts[i];
            if (!_holders.TryGetValue(path, out var child))
            {
                child = new WeightHolder();
                if (!TryRegister(() => AddChild(owner, parts[i], child))) return RegisterFlat(name, value);
                _holders[path] = child;
            }
            owner = child;
        }
        return TryRegister(() => AddParameter(owner, parts[^1], value)) ? value : RegisterFlat(name, value);
    }

    private Tensor RegisterFlat(string name, Tensor value)
    {
        string flat = Sanitize(name.Replace('.', '_'));
        for (int k = 0; ; k++)
            if (TryRegister(() => AddParameter(this, k == 0 ? flat : $"{flat}_{k}", value))) return value;
    }

    private static bool TryRegister(Action register)
    {
        try { register(); return true; }
        catch (ArgumentException) { return false; }
    }

    private static string Sanitize(string part)
    {
        var chars = part.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        return chars.Length == 0 ? "_" : new string(chars);
    }

    private static void CheckOpset(OnnxModelProto model)
    {
        if (model.IrVersion is < 3 or > 11) throw new InvalidDataException($"ONNX ir_version {model.IrVersion} is not supported (3..11)");
        var main = model.OpsetImports.Where(o => o.Domain is "" or "ai.onnx").ToList();
        if (main.Count != 1) throw new InvalidDataException($"ONNX model must import the default opset exactly once; found {main.Count}");
        if (main[0].Version != OnnxFormat.Opset)
            throw new InvalidDataException($"ONNX opset {main[0].Version} is not supported: Hubel reads opset {OnnxFormat.Opset} (re-export with opset_version={OnnxFormat.Opset})");
    }

    private void AddChild(Module owner, string name, Module child)
    {
        if (owner is WeightHolder h) h.AddChild(name, child);
        else RegisterModule(name, child);
    }

    private void AddParameter(Module owner, string name, Tensor value)
    {
        if (owner is WeightHolder h) h.AddParameter(name, value);
        else RegisterParameter(name, value);
    }

    /// <summary>Holds the weights under one dotted prefix (e.g. "conv1"); never runs.</summary>
    private sealed class WeightHolder : Module
    {
        public override Tensor Forward(Tensor input) => throw new InvalidOperationException("a weight holder of an imported ONNX graph does not run on its own");
        public void AddChild(string name, Module child) => RegisterModule(name, child);
        public void AddParameter(string name, Tensor value) => RegisterParameter(name, value);
    }
}
