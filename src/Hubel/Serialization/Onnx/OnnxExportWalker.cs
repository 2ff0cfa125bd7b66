using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

/// <summary>Walks the autograd tape back from the model output and emits one ONNX value per Hubel tensor: a layer's
/// output through <see cref="OnnxLayerExport"/>, any other op output through <see cref="OnnxOpExport"/>, and a tensor
/// without a recorded op as an initializer (a parameter, a buffer or a constant made in Forward).</summary>
internal sealed class OnnxExportWalker
{
    // Trace outputs are detached copies sharing storage and shape array with the real output, so those two references
    // identify the tensor a layer produced.
    private readonly Dictionary<object, List<(int[] Shape, Module Module)>> _producers = new(ReferenceEqualityComparer.Instance);

    public OnnxExportWalker(OnnxGraphBuilder builder, IEnumerable<(Module Module, Tensor Output)> events)
    {
        Builder = builder;
        foreach (var (module, output) in events)
        {
            if (!OnnxLayerExport.Handles(module)) continue;
            if (!_producers.TryGetValue(output.Storage, out var list)) _producers[output.Storage] = list = [];
            list.Add((output.ShapeArray, module)); // events are post-order: the outermost layer comes last and wins
        }
    }

    public OnnxGraphBuilder Builder { get; }

    public string Emit(Tensor t)
    {
        if (Builder.TryGetName(t, out var known)) return known;
        string name;
        if (Producer(t) is { } module) name = OnnxLayerExport.Emit(this, module, t);
        else if (t.GradFn is { } fn) name = OnnxOpExport.Emit(this, fn, t);
        else name = Builder.Weight(t);
        Builder.SetName(t, name);
        return name;
    }

    private Module? Producer(Tensor t)
    {
        if (!_producers.TryGetValue(t.Storage, out var list)) return null;
        for (int i = list.Count - 1; i >= 0; i--)
            if (ReferenceEquals(list[i].Shape, t.ShapeArray)) return list[i].Module;
        return null;
    }

    /// <summary>The tensor a layer read: the first input of the op that produced its output, <paramref name="depth"/> ops back.</summary>
    public static Tensor InputOf(Tensor output, string layer, int depth = 1)
    {
        var t = output;
        for (int i = 0; i < depth; i++)
            t = t.GradFn?.Inputs[0] ?? throw new NotSupportedException($"ONNX export: cannot find the input of {layer} on the autograd tape");
        return t;
    }
}
