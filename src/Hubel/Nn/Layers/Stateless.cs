using Hubel.Ops;

namespace Hubel.Nn.Layers;

/// <summary>max(x, 0).</summary>
public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor input) => F.Relu(input);
}

/// <summary>1 / (1 + e^-x).</summary>
public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}

/// <summary>Flattens dimensions startDim..endDim (by default everything but the batch).</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    public override Tensor Forward(Tensor input) => F.Flatten(input, startDim, endDim);
    public override string ExtraRepr() => startDim == 1 && endDim == -1 ? "" : $"startDim={startDim}, endDim={endDim}";
}
