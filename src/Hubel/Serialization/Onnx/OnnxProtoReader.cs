namespace Hubel.Serialization.Onnx;

/// <summary>Parses ONNX protobuf bytes into <see cref="OnnxModelProto"/>. Only the fields Hubel needs are kept;
/// unknown fields are skipped; subgraphs (control flow) are skipped, so nesting depth is bounded. This is the
/// single entry point for untrusted bytes: it raises only <see cref="InvalidDataException"/> on malformed input
/// and allocates at most a small multiple of the input size.</summary>
public static class OnnxProtoReader
{
    public static OnnxModelProto Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) throw new InvalidDataException("ONNX model: the file is empty");
        var model = new OnnxModelProto();
        bool sawGraph = false;
        var r = new ProtoReader(bytes, "ModelProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.Expect(wire, WireType.Varint, "ir_version"); model.IrVersion = r.ReadInt64(); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "producer_name"); model.ProducerName = r.ReadString(); break;
                case 3: r.Expect(wire, WireType.LengthDelimited, "producer_version"); model.ProducerVersion = r.ReadString(); break;
                case 7: r.Expect(wire, WireType.LengthDelimited, "graph"); model.Graph = ParseGraph(r.ReadBytes()); sawGraph = true; break;
                case 8: r.Expect(wire, WireType.LengthDelimited, "opset_import"); model.OpsetImports.Add(ParseOpset(r.ReadBytes())); break;
                default: r.Skip(wire); break;
            }
        }
        if (!sawGraph) throw new InvalidDataException("ONNX model: no graph (field 7) found; is this an ONNX model file?");
        return model;
    }

    private static (string, long) ParseOpset(ReadOnlySpan<byte> bytes)
    {
        string domain = ""; long version = 0;
        var r = new ProtoReader(bytes, "OperatorSetIdProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1) { r.Expect(wire, WireType.LengthDelimited, "domain"); domain = r.ReadString(); }
            else if (field == 2) { r.Expect(wire, WireType.Varint, "version"); version = r.ReadInt64(); }
            else r.Skip(wire);
        }
        return (domain, version);
    }

    private static OnnxGraphProto ParseGraph(ReadOnlySpan<byte> bytes)
    {
        var g = new OnnxGraphProto();
        var r = new ProtoReader(bytes, "GraphProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "node"); g.Nodes.Add(ParseNode(r.ReadBytes())); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "name"); g.Name = r.ReadString(); break;
                case 5: r.Expect(wire, WireType.LengthDelimited, "initializer"); g.Initializers.Add(ParseTensor(r.ReadBytes())); break;
                case 11: r.Expect(wire, WireType.LengthDelimited, "input"); g.Inputs.Add(ParseValueInfo(r.ReadBytes())); break;
                case 12: r.Expect(wire, WireType.LengthDelimited, "output"); g.Outputs.Add(ParseValueInfo(r.ReadBytes())); break;
                case 15: throw new InvalidDataException("GraphProto: sparse initializers are not supported");
                default: r.Skip(wire); break;
            }
        }
        return g;
    }

    private static OnnxNodeProto ParseNode(ReadOnlySpan<byte> bytes)
    {
        var n = new OnnxNodeProto();
        var r = new ProtoReader(bytes, "NodeProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "input"); n.Inputs.Add(r.ReadString()); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "output"); n.Outputs.Add(r.ReadString()); break;
                case 3: r.Expect(wire, WireType.LengthDelimited, "name"); n.Name = r.ReadString(); break;
                case 4: r.Expect(wire, WireType.LengthDelimited, "op_type"); n.OpType = r.ReadString(); break;
                case 5: r.Expect(wire, WireType.LengthDelimited, "attribute"); n.Attributes.Add(ParseAttribute(r.ReadBytes())); break;
                case 7: r.Expect(wire, WireType.LengthDelimited, "domain"); n.Domain = r.ReadString(); break;
                default: r.Skip(wire); break;
            }
        }
        return n;
    }

    private static OnnxAttribute ParseAttribute(ReadOnlySpan<byte> bytes)
    {
        var a = new OnnxAttribute();
        var r = new ProtoReader(bytes, "AttributeProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "name"); a.Name = r.ReadString(); break;
                case 2: r.Expect(wire, WireType.Fixed32, "f"); a.F = r.ReadFixed32Float(); break;
                case 3: r.Expect(wire, WireType.Varint, "i"); a.I = r.ReadInt64(); break;
                case 4: r.Expect(wire, WireType.LengthDelimited, "s"); a.S = r.ReadBytes().ToArray(); break;
                case 5: r.Expect(wire, WireType.LengthDelimited, "t"); a.T = ParseTensor(r.ReadBytes()); break;
                case 7: r.ReadFloats(wire, a.Floats); break;
                case 8: r.ReadInt64s(wire, a.Ints); break;
                case 20: r.Expect(wire, WireType.Varint, "type"); a.Type = (OnnxAttributeType)r.ReadInt32(); break;
                default: r.Skip(wire); break; // subgraphs and other kinds: skipped, so the importer sees an unsupported type
            }
        }
        return a;
    }

    internal static OnnxTensorProto ParseTensor(ReadOnlySpan<byte> bytes)
    {
        var t = new OnnxTensorProto();
        var r = new ProtoReader(bytes, "TensorProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.ReadInt64s(wire, t.Dims); break;
                case 2:
                    r.Expect(wire, WireType.Varint, "data_type");
                    t.RawDataTypeNumber = r.ReadInt32();
                    t.DataType = t.RawDataTypeNumber is 1 or 6 or 7 or 11 ? (OnnxDataType)t.RawDataTypeNumber : OnnxDataType.Undefined;
                    break;
                case 4: r.ReadFloats(wire, t.FloatData); break;
                case 5: r.ReadInt64s(wire, t.Int32Data); break;
                case 7: r.ReadInt64s(wire, t.Int64Data); break;
                case 8: r.Expect(wire, WireType.LengthDelimited, "name"); t.Name = r.ReadString(); break;
                case 9: r.Expect(wire, WireType.LengthDelimited, "raw_data"); t.RawData = r.ReadBytes().ToArray(); break;
                case 10: r.ReadDoubles(wire, t.DoubleData); break;
                case 13: t.External = true; r.Skip(wire); break;
                case 14: r.Expect(wire, WireType.Varint, "data_location"); t.External |= r.ReadInt64() == 1; break;
                default: r.Skip(wire); break;
            }
        }
        return t;
    }

    private static OnnxValueInfo ParseValueInfo(ReadOnlySpan<byte> bytes)
    {
        var v = new OnnxValueInfo();
        var r = new ProtoReader(bytes, "ValueInfoProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1) { r.Expect(wire, WireType.LengthDelimited, "name"); v.Name = r.ReadString(); }
            else if (field == 2) { r.Expect(wire, WireType.LengthDelimited, "type"); ParseType(r.ReadBytes(), v); }
            else r.Skip(wire);
        }
        return v;
    }

    private static void ParseType(ReadOnlySpan<byte> bytes, OnnxValueInfo v)
    {
        var r = new ProtoReader(bytes, "TypeProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field != 1) { r.Skip(wire); continue; }
            r.Expect(wire, WireType.LengthDelimited, "tensor_type");
            var tr = new ProtoReader(r.ReadBytes(), "TypeProto.Tensor");
            while (!tr.AtEnd)
            {
                var (tf, tw) = tr.ReadTag();
                if (tf == 1) { tr.Expect(tw, WireType.Varint, "elem_type"); v.ElemType = tr.ReadInt32(); }
                else if (tf == 2) { tr.Expect(tw, WireType.LengthDelimited, "shape"); ParseShape(tr.ReadBytes(), v); }
                else tr.Skip(tw);
            }
        }
    }

    private static void ParseShape(ReadOnlySpan<byte> bytes, OnnxValueInfo v)
    {
        v.HasShape = true;
        var r = new ProtoReader(bytes, "TensorShapeProto");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field != 1) { r.Skip(wire); continue; }
            r.Expect(wire, WireType.LengthDelimited, "dim");
            var dr = new ProtoReader(r.ReadBytes(), "Dimension");
            long? value = null; string? param = null;
            while (!dr.AtEnd)
            {
                var (df, dw) = dr.ReadTag();
                if (df == 1) { dr.Expect(dw, WireType.Varint, "dim_value"); value = dr.ReadInt64(); }
                else if (df == 2) { dr.Expect(dw, WireType.LengthDelimited, "dim_param"); param = dr.ReadString(); }
                else dr.Skip(dw);
            }
            v.Shape.Add(value);
            v.DimParams.Add(value is null ? param ?? "" : null);
        }
    }
}
