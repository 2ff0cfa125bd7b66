using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>min(max(x, 0), 6) (MobileNet v2). Composed as relu(x) - relu(x - 6), which is exactly the clamp with the
/// same gradient (1 on (0, 6), 0 elsewhere), so it needs no op of its own.</summary>
public sealed class ReLU6 : Module
{
    public override Tensor Forward(Tensor input) => F.Sub(F.Relu(input), F.Relu(F.AddScalar(input, -6)));
}
