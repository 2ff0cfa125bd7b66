using Hubel.Nn.Layers;

namespace Hubel.Nn;

/// <summary>Runs modules in order; children are named "0", "1", ... as in PyTorch, so parameter names
/// look like "0.weight".</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Add(layer);
    }

    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public int Count => _layers.Count;
    public Module this[int index] => _layers[index];

    /// <remarks>In eval mode without the tape, Conv2d followed by BatchNorm2d and/or ReLU runs as one fused convolution
    /// (<see cref="FusedInference"/>); the result equals the layer-by-layer one up to float rounding.</remarks>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            if (_layers[i] is Conv2d conv && FusedInference.Applies(conv))
            {
                var bn = At<BatchNorm2d>(i + 1);
                int next = i + 1 + (bn is null ? 0 : 1);
                var relu = At<ReLU>(next);
                if ((bn is not null || relu is not null) && FusedInference.Applies(conv, bn))
                {
                    x = FusedInference.ConvBnRelu(x, conv, bn, relu);
                    i = relu is null ? next - 1 : next;
                    continue;
                }
            }
            x = _layers[i].Call(x);
        }
        return x;
    }

    private TLayer? At<TLayer>(int index) where TLayer : Module => index < _layers.Count ? _layers[index] as TLayer : null;
}
