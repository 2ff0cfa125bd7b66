namespace Hubel.Serialization.Onnx;

/// <summary>Serialises <see cref="OnnxModelProto"/> to ONNX protobuf bytes (the inverse of <see cref="OnnxProtoReader"/>
/// for the fields Hubel uses). Tensors are written as raw little-endian data.</summary>
public static class OnnxProtoWriter
{
    public static byte[] Write(OnnxModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var w = new ProtoWriter();
        w.Int64(1, model.IrVersion);
        if (model.ProducerName.Length > 0) w.String(2, model.ProducerName);
        if (model.ProducerVersion.Length > 0) w.String(3, model.ProducerVersion);
        w.Message(7, Graph(model.Graph));
        foreach (var (domain, version) in model.OpsetImports)
        {
            var o = new ProtoWriter();
            if (domain.Length > 0) o.String(1, domain);
            o.Int64(2, version);
            w.Message(8, o);
        }
        return w.ToArray();
    }

    private static ProtoWriter Graph(OnnxGraphProto g)
    {
        var w = new ProtoWriter();
        foreach (var n in g.Nodes) w.Message(1, Node(n));
        w.String(2, g.Name);
        foreach (var t in g.Initializers) w.Message(5, Tensor(t));
        foreach (var v in g.Inputs) w.Message(11, ValueInfo(v));
        foreach (var v in g.Outputs) w.Message(12, ValueInfo(v));
        return w;
    }

    private static ProtoWriter Node(OnnxNodeProto n)
    {
        var w = new ProtoWriter();
        foreach (var i in n.Inputs) w.String(1, i);
        foreach (var o in n.Outputs) w.String(2, o);
        if (n.Name.Length > 0) w.String(3, n.Name);
        w.String(4, n.OpType);
        foreach (var a in n.Attributes) w.Message(5, Attribute(a));
        if (n.Domain.Length > 0) w.String(7, n.Domain);
        return w;
    }

    private static ProtoWriter Attribute(OnnxAttribute a)
    {
        var w = new ProtoWriter();
        w.String(1, a.Name);
        switch (a.Type)
        {
            case OnnxAttributeType.Float: w.Float(2, a.F); break;
            case OnnxAttributeType.Int: w.Int64(3, a.I); break;
            case OnnxAttributeType.String: w.Bytes(4, a.S); break;
            case OnnxAttributeType.Tensor: w.Message(5, Tensor(a.T ?? throw new ArgumentException($"attribute {a.Name} has no tensor"))); break;
            case OnnxAttributeType.Floats: w.PackedFloat(7, a.Floats); break;
            case OnnxAttributeType.Ints: w.PackedInt64(8, a.Ints); break;
            default: throw new ArgumentException($"attribute {a.Name}: type {a.Type} cannot be written");
        }
        w.Int64(20, (long)a.Type);
        return w;
    }

    private static ProtoWriter Tensor(OnnxTensorProto t)
    {
        var w = new ProtoWriter();
        if (t.Dims.Count > 0) w.PackedInt64(1, t.Dims);
        w.Int64(2, (long)t.DataType);
        if (t.Name.Length > 0) w.String(8, t.Name);
        w.Bytes(9, t.RawData ?? []);
        return w;
    }

    private static ProtoWriter ValueInfo(OnnxValueInfo v)
    {
        var shape = new ProtoWriter();
        for (int i = 0; i < v.Shape.Count; i++)
        {
            var d = new ProtoWriter();
            if (v.Shape[i] is { } value) d.Int64(1, value);
            else d.String(2, v.DimParams.Count > i && v.DimParams[i] is { } p ? p : "N");
            shape.Message(1, d);
        }
        var tensorType = new ProtoWriter();
        tensorType.Int64(1, v.ElemType);
        tensorType.Message(2, shape);
        var type = new ProtoWriter();
        type.Message(1, tensorType);
        var w = new ProtoWriter();
        w.String(1, v.Name);
        w.Message(2, type);
        return w;
    }
}
