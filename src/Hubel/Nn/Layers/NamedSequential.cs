using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>Runs modules in order like <see cref="Sequential"/>, but each child has a name of its own (PyTorch's
/// Sequential(OrderedDict(...))), so parameter names read "features.conv0.weight" as in torchvision's DenseNet.</summary>
public sealed class NamedSequential : Module
{
    private readonly List<Module> _layers = [];

    public NamedSequential Add(string name, Module layer)
    {
        RegisterModule(name, layer);
        _layers.Add(layer);
        return this;
    }

    public int Count => _layers.Count;

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Call(x);
        return x;
    }
}
