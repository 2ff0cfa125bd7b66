using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Serialization.Onnx;
using Hubel.Tensors;

namespace Hubel.Tests.Onnx;

/// <summary>Imported files are untrusted: each malformed model is rejected with <see cref="InvalidDataException"/> whose
/// message names the problem.</summary>
public class OnnxValidationTests
{
    /// <summary>Conv → Relu → Flatten(reshape) → Gemm, exported by Hubel, as editable messages.</summary>
    private static OnnxModelProto Valid()
    {
        var model = new Sequential(new Conv2d(2, 3, 3, stride: 2, rng: new Rng(1)), new ReLU(), new Flatten(), new Linear(12, 2, rng: new Rng(2)));
        return OnnxProtoReader.Parse(OnnxExporter.ExportBytes(model, [1, 2, 5, 5]));
    }

    private static OnnxNodeProto Node(OnnxModelProto m, string op) => m.Graph.Nodes.First(n => n.OpType == op);

    private static void Rejects(OnnxModelProto m, string expected)
    {
        var bytes = OnnxProtoWriter.Write(m);
        var e = Assert.Throws<InvalidDataException>(() => OnnxModule.FromBytes(bytes));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_valid_model_loads() => Assert.Equal(4, OnnxModule.FromBytes(OnnxProtoWriter.Write(Valid())).Parameters().Count());

    [Fact]
    public void Other_opsets_are_rejected()
    {
        var m = Valid();
        m.OpsetImports[0] = ("", 9);
        Rejects(m, "opset 9");
    }

    [Fact]
    public void Unknown_op_lists_the_supported_ones()
    {
        var m = Valid();
        Node(m, "Relu").OpType = "Gelu";
        Rejects(m, "op 'Gelu' is not supported; supported ops: Add, AveragePool, BatchNormalization");
    }

    [Fact]
    public void Missing_input_and_wrong_order_are_rejected()
    {
        var m = Valid();
        Node(m, "Relu").Inputs[0] = "nowhere";
        Rejects(m, "reads 'nowhere'");
        var cyclic = Valid();
        (cyclic.Graph.Nodes[0], cyclic.Graph.Nodes[1]) = (cyclic.Graph.Nodes[1], cyclic.Graph.Nodes[0]);
        Rejects(cyclic, "topological order");
    }

    [Fact]
    public void Duplicate_outputs_are_rejected()
    {
        var m = Valid();
        Node(m, "Relu").Outputs[0] = Node(m, "Conv").Outputs[0];
        Rejects(m, "already defined");
    }

    [Fact]
    public void Tensor_dims_and_sizes_are_checked()
    {
        var negative = Valid();
        negative.Graph.Initializers[0].Dims[0] = -3;
        Rejects(negative, "dimension 0 is -3");
        var huge = Valid();
        huge.Graph.Initializers[0].Dims.Clear();
        huge.Graph.Initializers[0].Dims.AddRange([1L << 20, 1L << 20, 1L << 20]);
        Rejects(huge, "too many elements");
        var truncated = Valid();
        truncated.Graph.Initializers[0].RawData = truncated.Graph.Initializers[0].RawData![..10];
        Rejects(truncated, "raw_data has 10 bytes");
    }

    [Fact]
    public void Unsupported_data_types_are_rejected()
    {
        var m = Valid();
        m.Graph.Initializers[0].DataType = (OnnxDataType)3; // int8
        Rejects(m, "only float32 (1) and float64 (11)");
        var input = Valid();
        input.Graph.Inputs[0].ElemType = 10; // float16
        Rejects(input, "element type 10");
    }

    [Fact]
    public void Attribute_ranges_are_checked()
    {
        var stride = Valid();
        Node(stride, "Conv").Attributes.First(a => a.Name == "strides").Ints[0] = 0;
        Rejects(stride, "'strides' value 0 is outside");
        var pads = Valid();
        Node(pads, "Conv").Attributes.First(a => a.Name == "pads").Ints[1] = -1;
        Rejects(pads, "'pads' value -1");
        var kernel = Valid();
        Node(kernel, "Conv").Attributes.First(a => a.Name == "kernel_shape").Ints[0] = 5;
        Rejects(kernel, "does not match the weight");
        var type = Valid();
        Node(type, "Conv").Attributes.First(a => a.Name == "group").Type = OnnxAttributeType.Float;
        Rejects(type, "'group' must be an INT");
        var unknown = Valid();
        Node(unknown, "Relu").Attributes.Add(new OnnxAttribute { Name = "mystery", Type = OnnxAttributeType.Int });
        Rejects(unknown, "attribute 'mystery' is not supported");
    }

    [Fact]
    public void Graph_must_have_one_input_and_one_output()
    {
        var m = Valid();
        m.Graph.Outputs.Add(m.Graph.Outputs[0]);
        Rejects(m, "exactly one output");
    }

    [Fact]
    public void Non_onnx_bytes_are_rejected()
    {
        Assert.Throws<InvalidDataException>(() => OnnxModule.FromBytes("not a model"u8));
        Assert.Throws<InvalidDataException>(() => OnnxModule.FromBytes([]));
        Assert.Throws<InvalidDataException>(() => OnnxProtoReader.Parse([0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])); // graph of length 4 GB
    }
}
