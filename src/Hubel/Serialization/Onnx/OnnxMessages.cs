namespace Hubel.Serialization.Onnx;

/// <summary>ONNX element types that appear in the subset Hubel reads and writes (onnx.proto TensorProto.DataType).</summary>
public enum OnnxDataType { Undefined = 0, Float = 1, Int32 = 6, Int64 = 7, Double = 11 }

/// <summary>ONNX AttributeProto.AttributeType values Hubel understands; others are kept as their number and rejected
/// by the importer when an op reads them.</summary>
public enum OnnxAttributeType { Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8 }

/// <summary>The subset of onnx.proto's ModelProto Hubel uses. Unknown fields are skipped when reading.</summary>
public sealed class OnnxModelProto
{
    public long IrVersion { get; set; }
    public string ProducerName { get; set; } = "";
    public string ProducerVersion { get; set; } = "";
    public List<(string Domain, long Version)> OpsetImports { get; } = [];
    public OnnxGraphProto Graph { get; set; } = new();
}

public sealed class OnnxGraphProto
{
    public string Name { get; set; } = "";
    public List<OnnxNodeProto> Nodes { get; } = [];
    public List<OnnxTensorProto> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];
}

public sealed class OnnxNodeProto
{
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public string Name { get; set; } = "";
    public string OpType { get; set; } = "";
    public string Domain { get; set; } = "";
    public List<OnnxAttribute> Attributes { get; } = [];
}

public sealed class OnnxAttribute
{
    public string Name { get; set; } = "";
    public OnnxAttributeType Type { get; set; }
    public float F { get; set; }
    public long I { get; set; }
    public byte[] S { get; set; } = [];
    public OnnxTensorProto? T { get; set; }
    public List<float> Floats { get; } = [];
    public List<long> Ints { get; } = [];
}

/// <summary>A tensor as stored: dims plus exactly one of raw_data (little-endian) or the typed repeated fields.
/// Nothing is checked here; <see cref="OnnxTensors"/> validates dims, type and sizes before use.</summary>
public sealed class OnnxTensorProto
{
    public string Name { get; set; } = "";
    public List<long> Dims { get; } = [];
    public OnnxDataType DataType { get; set; }
    public int RawDataTypeNumber { get; set; }
    public byte[]? RawData { get; set; }
    public List<float> FloatData { get; } = [];
    public List<double> DoubleData { get; } = [];
    public List<long> Int64Data { get; } = [];
    public List<long> Int32Data { get; } = [];
    /// <summary>True when the file asks for external data (data_location = EXTERNAL), which Hubel refuses.</summary>
    public bool External { get; set; }
}

/// <summary>A graph input or output: name, element type and shape (a dimension is a value, or null when symbolic).</summary>
public sealed class OnnxValueInfo
{
    public string Name { get; set; } = "";
    public int ElemType { get; set; }
    public List<long?> Shape { get; } = [];
    /// <summary>Names of symbolic dimensions (dim_param), parallel to <see cref="Shape"/>; null where a value is given.</summary>
    public List<string?> DimParams { get; } = [];
    public bool HasShape { get; set; }
}
