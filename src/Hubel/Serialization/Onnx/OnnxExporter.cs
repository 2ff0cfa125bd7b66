using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

/// <summary>Exports a Hubel module as an ONNX model at <see cref="OnnxFormat.Opset"/>.
/// <para>How: one forward pass in eval mode on a random input that requires grad, inside a <see cref="ForwardTrace"/>.
/// The autograd tape gives the op-level graph (every op output knows the op and the tensors it read), so branches,
/// residual additions, concatenations and reshapes in any module's Forward are captured. Ops whose hyper-parameters
/// the tape does not keep (convolution strides, pooling windows, LRN constants…) are taken from the layer module that
/// produced the tensor, found through the trace. Parameters and buffers become initializers under their state-dict
/// names, so an exported model re-imports with the same <see cref="Module.NamedState"/>.</para></summary>
public static class OnnxExporter
{
    /// <summary>The exported model for inputs of <paramref name="inputShape"/> (batch first; the batch dimension is
    /// written as symbolic "N", so ONNX Runtime accepts any batch size).</summary>
    /// <exception cref="NotSupportedException">the model uses an op or layer ONNX export does not cover; the message names it.</exception>
    /// <remarks>An imported <see cref="OnnxModule"/> writes back its own graph with its current weights.</remarks>
    public static OnnxModelProto Export(Module model, int[] inputShape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length < 1 || inputShape.Any(d => d < 1))
            throw new ArgumentOutOfRangeException(nameof(inputShape), $"inputShape must be non-empty with every dimension >= 1; got [{string.Join(", ", inputShape)}]");
        if (model is OnnxModule imported) return imported.ToProto();
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            var x = Tensor.Uniform(inputShape, -1, 1, new Rng(20_240_601), dtype).RequireGrad();
            Tensor y;
            IReadOnlyList<(Module Module, int[] InputShape, int[] OutputShape)> events;
            IReadOnlyList<Tensor> outputs;
            using (var trace = ForwardTrace.Start(keepOutputs: true))
            {
                y = model.Call(x);
                events = trace.Events;
                outputs = trace.Outputs;
            }
            var builder = new OnnxGraphBuilder(model.NamedState());
            builder.SetName(x, OnnxFormat.InputName);
            var walker = new OnnxExportWalker(builder, events.Select((e, i) => (e.Module, outputs[i])));
            var result = walker.Emit(y);
            builder.Graph.Nodes.Add(IdentityTo(result, OnnxFormat.OutputName));
            builder.Graph.Inputs.Add(ValueInfo(OnnxFormat.InputName, x));
            builder.Graph.Outputs.Add(ValueInfo(OnnxFormat.OutputName, y));
            var proto = new OnnxModelProto { IrVersion = OnnxFormat.IrVersion, ProducerName = "hubel", ProducerVersion = "1", Graph = builder.Graph };
            proto.OpsetImports.Add(("", OnnxFormat.Opset));
            return proto;
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    /// <summary>The exported model as ONNX bytes.</summary>
    public static byte[] ExportBytes(Module model, int[] inputShape, DType dtype = DType.Float32) =>
        OnnxProtoWriter.Write(Export(model, inputShape, dtype));

    /// <summary>Writes the exported model to <paramref name="path"/> atomically.</summary>
    public static void Save(Module model, int[] inputShape, string path, DType dtype = DType.Float32)
    {
        var bytes = ExportBytes(model, inputShape, dtype);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    private static OnnxNodeProto IdentityTo(string from, string to)
    {
        var node = new OnnxNodeProto { OpType = "Identity", Name = "output_identity" };
        node.Inputs.Add(from);
        node.Outputs.Add(to);
        return node;
    }

    private static OnnxValueInfo ValueInfo(string name, Tensor t)
    {
        var v = new OnnxValueInfo { Name = name, ElemType = t.DType == DType.Float64 ? (int)OnnxDataType.Double : (int)OnnxDataType.Float, HasShape = true };
        for (int i = 0; i < t.Rank; i++)
        {
            v.Shape.Add(i == 0 ? null : t.Size(i));
            v.DimParams.Add(i == 0 ? "N" : null);
        }
        return v;
    }
}
