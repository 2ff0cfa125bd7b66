using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>
/// Nielsen's "network3" (Neural Networks and Deep Learning, chapter 6) as the peer defines it
/// (../shared/peers/models.py): conv20@5x5 - ReLU - maxpool 2 - conv40@5x5 - ReLU - maxpool 2 - fc100 - ReLU - fc10,
/// for 1x28x28 input. 85,670 parameters; names match PyTorch's state_dict (conv1.weight, ..., fc2.bias).
/// </summary>
public sealed class Network3 : Module
{
    public Network3(int numClasses = 10, int inChannels = 1, Rng? rng = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, 20, 5, rng: rng));
        Conv2 = RegisterModule("conv2", new Conv2d(20, 40, 5, rng: rng));
        Fc1 = RegisterModule("fc1", new Linear(40 * 4 * 4, 100, rng: rng));
        Fc2 = RegisterModule("fc2", new Linear(100, numClasses, rng: rng));
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

    public override Tensor Forward(Tensor input)
    {
        var x = ReluPool.Call(Conv1.Call(input), _relu, _pool);
        x = ReluPool.Call(Conv2.Call(x), _relu, _pool);
        x = FusedInference.LinearRelu(x.Flatten(1), Fc1, _relu);
        return Fc2.Call(x);
    }
}
