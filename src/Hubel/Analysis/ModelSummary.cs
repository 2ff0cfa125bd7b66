using Hubel.Autograd;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Analysis;

/// <summary>One row of a model summary: a layer as it ran, with the notes' analysis quantities.</summary>
/// <param name="ReceptiveField">side of the input region one output unit sees (RF grows by (K_eff - 1)·jump per layer,
/// the forward form of RF_i = (RF_{i+1} - 1)·s_i + K_i); for layers after the spatial ones, the whole input.</param>
/// <param name="Stride">effective stride (jump) of this layer's output grid on the input.</param>
public sealed record LayerSummary(string Name, string Type, int[] OutputShape, long Parameters, long Macs, int ReceptiveField, int Stride);

/// <summary>Per-layer output shapes, parameters, multiply-accumulates, receptive fields and effective strides,
/// found by tracing one forward pass of a single image (Keras' summary, torchinfo).</summary>
public sealed record ModelSummary(IReadOnlyList<LayerSummary> Layers, long TotalParameters, long TotalMacs, int[] InputShape)
{
    /// <summary>Bytes of float32 activations a forward pass keeps for backward at <paramref name="batchSize"/>.</summary>
    public long ActivationBytes(int batchSize) =>
        checked(Layers.Sum(l => l.OutputShape.Skip(1).Aggregate(1L, (a, d) => a * d)) * batchSize * sizeof(float));

    /// <param name="inputShape">[C, H, W] of one image.</param>
    public static ModelSummary Of(Module model, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length != 3 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"input shape must be C,H,W with positive sizes; got {string.Join(",", inputShape)}", nameof(inputShape));
        var names = new Dictionary<Module, string>();   // Module has reference equality; first name wins for shared modules
        foreach (var (name, m) in model.NamedModules()) names.TryAdd(m, name);
        IReadOnlyList<(Module Module, int[] InputShape, int[] OutputShape)> events;
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var trace = ForwardTrace.Start();
            using (Graph.NoGrad()) model.Call(Tensor.Zeros([1, .. inputShape]));
            events = trace.Events;
        }
        finally { model.Train(wasTraining); }

        var rows = new List<LayerSummary>();
        int rf = 1, jump = 1, inputSide = Math.Max(inputShape[1], inputShape[2]);
        bool spatial = true;
        foreach (var (module, inShape, outShape) in events)
        {
            if (module.Children.Count > 0) continue;          // containers: their leaves are listed
            long parameters = module.OwnParameters().Sum(p => (long)p.Numel);
            long macs = 0;
            switch (module)
            {
                case Conv2d c:
                    macs = ConvArithmetic.ConvMacs(c.InChannels, c.OutChannels, c.Kernel.H, c.Kernel.W, outShape[2], outShape[3], c.Groups);
                    (rf, jump) = Grow(rf, jump, c.Kernel.H, c.Dilation.H, c.Stride.H);
                    break;
                case MaxPool2d p:
                    (rf, jump) = Grow(rf, jump, p.Kernel.H, p.Dilation.H, p.Stride.H);
                    break;
                case AvgPool2d a:
                    (rf, jump) = Grow(rf, jump, a.Kernel.H, 1, a.Stride.H);
                    break;
                case Linear l:
                    macs = (long)l.InFeatures * l.OutFeatures;
                    spatial = false;
                    break;
                case Flatten:
                    spatial = false;
                    break;
            }
            rows.Add(new LayerSummary(names.TryGetValue(module, out var n) && n.Length > 0 ? n : module.GetType().Name,
                module.GetType().Name, outShape, parameters, macs, spatial ? Math.Min(rf, int.MaxValue) : inputSide, jump));
        }
        return new ModelSummary(rows, model.ParameterCount(), rows.Sum(r => r.Macs), inputShape);
    }

    private static (int Rf, int Jump) Grow(int rf, int jump, int kernel, int dilation, int stride) =>
        (checked(rf + (ConvArithmetic.EffectiveKernel(kernel, dilation) - 1) * jump), checked(jump * stride));
}
