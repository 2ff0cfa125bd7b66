using Hubel.Nn;

namespace Hubel.Serialization.Onnx;

/// <summary>How a Hubel model file (<see cref="ModelFile"/>) holds an imported ONNX graph: architecture "onnx", the
/// weights as ordinary safetensors tensors (the graph's state-dict names), and the graph itself without its float
/// weights, base64-encoded in the metadata. Loading rebuilds the <see cref="OnnxModule"/> with zero weights and then
/// loads the tensors strictly, so the file goes through the same validation as an .onnx file.</summary>
public static class OnnxModelFile
{
    public const string Architecture = "onnx";
    public const string GraphKey = "onnx_graph";

    /// <summary>The metadata entry for <paramref name="model"/>: its graph with float initializers emptied and the first
    /// dimension of the data input made symbolic (PyTorch exports a fixed example batch size; eval and predict use others).</summary>
    public static string EncodeGraph(OnnxModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = OnnxProtoReader.Parse(OnnxProtoWriter.Write(model));
        foreach (var t in copy.Graph.Initializers)
            if (t.DataType is OnnxDataType.Float or OnnxDataType.Double)
            {
                t.RawData = [];
                t.FloatData.Clear();
                t.DoubleData.Clear();
            }
        foreach (var input in copy.Graph.Inputs)
            if (input.Shape.Count > 0 && !copy.Graph.Initializers.Any(t => t.Name == input.Name))
            {
                input.Shape[0] = null;
                input.DimParams[0] = "N";
            }
        return Convert.ToBase64String(OnnxProtoWriter.Write(copy));
    }

    /// <summary>The module described by a model file's metadata, weights still zero.</summary>
    /// <exception cref="InvalidDataException">the graph entry is missing, not base64, or not a valid graph.</exception>
    public static Module Rebuild(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(GraphKey, out var encoded)) throw new InvalidDataException($"metadata '{GraphKey}' is missing for an ONNX model");
        byte[] bytes;
        try { bytes = Convert.FromBase64String(encoded); }
        catch (FormatException e) { throw new InvalidDataException($"metadata '{GraphKey}' is not base64", e); }
        return new OnnxModule(OnnxProtoReader.Parse(bytes), weightsFollow: true);
    }
}
