using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>
/// LeNet-5 as in the notes and the peer benchmark (../shared/peers/models.py): conv6@5x5 pad 2 - ReLU -
/// maxpool 2 - conv16@5x5 - ReLU - maxpool 2 - fc120 - ReLU - fc84 - ReLU - fc10, for 1x28x28 input.
/// 61,706 parameters; names match PyTorch's state_dict (conv1.weight, ..., fc3.bias).
/// </summary>
public sealed class LeNet5 : Module
{
    public LeNet5(int numClasses = 10, int inChannels = 1, Rng? rng = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, 6, 5, padding: 2, rng: rng));
        Conv2 = RegisterModule("conv2", new Conv2d(6, 16, 5, rng: rng));
        Fc1 = RegisterModule("fc1", new Linear(16 * 5 * 5, 120, rng: rng));
        Fc2 = RegisterModule("fc2", new Linear(120, 84, rng: rng));
        Fc3 = RegisterModule("fc3", new Linear(84, numClasses, rng: rng));
        // Parameterless, so PyTorch's parameter names are unchanged; as modules they show up in summaries.
        _relu = RegisterModule("relu", new ReLU());
        _pool = RegisterModule("pool", new MaxPool2d(2));
    }

    private readonly ReLU _relu;
    private readonly MaxPool2d _pool;

    public Conv2d Conv1 { get; }
    public Conv2d Conv2 { get; }
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }
    public Linear Fc3 { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = Stage(input, Conv1);
        x = Stage(x, Conv2);
        x = x.Flatten(1);
        x = FusedInference.LinearRelu(x, Fc1, _relu);
        x = FusedInference.LinearRelu(x, Fc2, _relu);
        return Fc3.Call(x);
    }

    /// <summary>pool(relu(conv(x))). conv + bias + ReLU is one fused pass in eval mode without the tape (FusedInference);
    /// otherwise the ReLU runs after the pooling (<see cref="ReluPool.Call"/>: the same values and gradients, a quarter of
    /// the elements).</summary>
    private Tensor Stage(Tensor input, Conv2d conv) =>
        FusedInference.Applies(conv) ? _pool.Call(FusedInference.ConvBnRelu(input, conv, relu: _relu)) : ReluPool.Call(conv.Call(input), _relu, _pool);
}
