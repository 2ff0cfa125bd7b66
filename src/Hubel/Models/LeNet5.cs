using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
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
    }

    public Conv2d Conv1 { get; }
    public Conv2d Conv2 { get; }
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }
    public Linear Fc3 { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = F.MaxPool2d(F.Relu(Conv1.Forward(input)), 2);
        x = F.MaxPool2d(F.Relu(Conv2.Forward(x)), 2);
        x = x.Flatten(1);
        x = F.Relu(Fc1.Forward(x));
        x = F.Relu(Fc2.Forward(x));
        return Fc3.Forward(x);
    }
}
