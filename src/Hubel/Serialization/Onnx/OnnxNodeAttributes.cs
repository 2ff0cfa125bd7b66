using System.Text;

namespace Hubel.Serialization.Onnx;

/// <summary>Typed, validated access to one node's attributes: a wrong type, a duplicate, an unknown name or a value out
/// of range raises <see cref="InvalidDataException"/> naming the node and attribute.</summary>
internal sealed class OnnxNodeAttributes
{
    private readonly Dictionary<string, OnnxAttribute> _byName = [];
    private readonly string _node;

    public OnnxNodeAttributes(OnnxNodeProto node, IReadOnlyCollection<string> allowed)
    {
        _node = $"node '{node.Name}' ({node.OpType})";
        foreach (var a in node.Attributes)
        {
            if (!allowed.Contains(a.Name)) throw Bad($"attribute '{a.Name}' is not supported (supported: {string.Join(", ", allowed)})");
            if (!_byName.TryAdd(a.Name, a)) throw Bad($"attribute '{a.Name}' appears twice");
        }
    }

    public InvalidDataException Bad(string message) => new($"ONNX {_node}: {message}");

    public bool Has(string name) => _byName.ContainsKey(name);

    public long Int(string name, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!_byName.TryGetValue(name, out var a)) return fallback;
        if (a.Type != OnnxAttributeType.Int) throw Bad($"attribute '{name}' must be an INT, got {a.Type}");
        if (a.I < min || a.I > max) throw Bad($"attribute '{name}' = {a.I} is outside [{min}, {max}]");
        return a.I;
    }

    public double Float(string name, double fallback)
    {
        if (!_byName.TryGetValue(name, out var a)) return fallback;
        if (a.Type != OnnxAttributeType.Float) throw Bad($"attribute '{name}' must be a FLOAT, got {a.Type}");
        if (!float.IsFinite(a.F)) throw Bad($"attribute '{name}' is not finite");
        return a.F;
    }

    public string String(string name, string fallback)
    {
        if (!_byName.TryGetValue(name, out var a)) return fallback;
        if (a.Type != OnnxAttributeType.String) throw Bad($"attribute '{name}' must be a STRING, got {a.Type}");
        try { return new UTF8Encoding(false, true).GetString(a.S); }
        catch (DecoderFallbackException) { throw Bad($"attribute '{name}' is not UTF-8"); }
    }

    /// <summary>An INTS attribute of exactly <paramref name="count"/> values in [min, max] (int range), or the fallback.</summary>
    public int[] Ints(string name, int count, int fallback, int min, int max = 1 << 20)
    {
        if (!_byName.TryGetValue(name, out var a)) return Enumerable.Repeat(fallback, count).ToArray();
        if (a.Type != OnnxAttributeType.Ints) throw Bad($"attribute '{name}' must be INTS, got {a.Type}");
        if (a.Ints.Count != count) throw Bad($"attribute '{name}' has {a.Ints.Count} values, expected {count}");
        foreach (var v in a.Ints)
            if (v < min || v > max) throw Bad($"attribute '{name}' value {v} is outside [{min}, {max}]");
        return a.Ints.Select(v => (int)v).ToArray();
    }

    /// <summary>The length of an INTS attribute, or -1 when absent.</summary>
    public int Count(string name) => _byName.TryGetValue(name, out var a) ? a.Ints.Count : -1;

    public OnnxTensorProto Tensor(string name)
    {
        if (!_byName.TryGetValue(name, out var a)) throw Bad($"attribute '{name}' is required");
        if (a.Type != OnnxAttributeType.Tensor || a.T is null) throw Bad($"attribute '{name}' must be a TENSOR, got {a.Type}");
        return a.T;
    }

    /// <summary>ONNX pads [b1..bn, e1..en] as symmetric per-axis amounts; asymmetric padding is rejected.</summary>
    public int[] SymmetricPads(int spatial, int max = 1 << 20)
    {
        var pads = Ints("pads", 2 * spatial, 0, 0, max);
        for (int i = 0; i < spatial; i++)
            if (pads[i] != pads[i + spatial]) throw Bad($"asymmetric pads [{string.Join(", ", pads)}] are not supported");
        return pads[..spatial];
    }

    public void RequireNotSetAutoPad()
    {
        var autoPad = String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID")) throw Bad($"auto_pad '{autoPad}' is not supported (NOTSET or VALID)");
        if (autoPad == "VALID" && Has("pads")) throw Bad("auto_pad VALID together with pads");
    }
}
