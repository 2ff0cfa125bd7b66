using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

/// <summary>Accumulates nodes and initializers while the exporter walks a traced forward pass. Each Hubel tensor gets
/// one ONNX value name (memoised by reference); parameters keep their state-dict names.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly Dictionary<Tensor, string> _names = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, string> _stateNames = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _usedInitializers = [];
    private int _counter;

    public OnnxGraphBuilder(IEnumerable<(string Name, Tensor Value)> state)
    {
        foreach (var (name, value) in state) _stateNames.TryAdd(value, name);
    }

    public OnnxGraphProto Graph { get; } = new() { Name = "hubel" };

    public bool TryGetName(Tensor t, out string name) => _names.TryGetValue(t, out name!);

    public void SetName(Tensor t, string name) => _names[t] = name;

    public string Fresh(string hint) => $"{hint}_{_counter++}";

    /// <summary>A node; returns its (single) output name.</summary>
    public string Node(string opType, string[] inputs, params OnnxAttribute[] attributes)
    {
        var output = Fresh(opType.ToLowerInvariant());
        var node = new OnnxNodeProto { OpType = opType, Name = output };
        node.Inputs.AddRange(inputs);
        node.Outputs.Add(output);
        node.Attributes.AddRange(attributes);
        Graph.Nodes.Add(node);
        return output;
    }

    /// <summary>The initializer for a weight: its state-dict name when it is a registered parameter or buffer.</summary>
    public string Weight(Tensor t)
    {
        if (_names.TryGetValue(t, out var known)) return known;
        var name = _stateNames.TryGetValue(t, out var s) ? s : Fresh("const");
        return AddInitializer(t, OnnxTensors.FromTensor(name, t));
    }

    /// <summary>A weight stored in another shape than Hubel's (e.g. PReLU's slope as [C, 1, 1] for ONNX broadcasting).</summary>
    public string WeightAs(Tensor t, int[] shape) => Weight(t.Contiguous().Reshape(shape));

    public string Constant(double[] values, int[] shape, DType dtype) =>
        Weight(dtype == DType.Float64 ? Tensor.FromArray(values, shape) : Tensor.FromArray(Array.ConvertAll(values, v => (float)v), shape));

    public string Int64s(params long[] values)
    {
        var name = Fresh("ints");
        Graph.Initializers.Add(OnnxTensors.FromInt64(name, values));
        return name;
    }

    private string AddInitializer(Tensor t, OnnxTensorProto proto)
    {
        if (!_usedInitializers.Add(proto.Name)) proto.Name = Fresh(proto.Name);
        Graph.Initializers.Add(proto);
        _names[t] = proto.Name;
        return proto.Name;
    }

    public static OnnxAttribute Ints(string name, params int[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Ints };
        foreach (var v in values) a.Ints.Add(v);
        return a;
    }

    public static OnnxAttribute Int(string name, long value) => new() { Name = name, Type = OnnxAttributeType.Int, I = value };

    public static OnnxAttribute Float(string name, double value) => new() { Name = name, Type = OnnxAttributeType.Float, F = (float)value };

    public static OnnxAttribute String(string name, string value) => new() { Name = name, Type = OnnxAttributeType.String, S = System.Text.Encoding.UTF8.GetBytes(value) };
}
