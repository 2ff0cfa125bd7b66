using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>The rungs of Nielsen's ladder (Neural Networks and Deep Learning, ch. 6), each adding one idea.</summary>
public enum NielsenStep
{
    /// <summary>784 - FC 100 - classes: the fully connected baseline.</summary>
    FullyConnected,
    /// <summary>conv 20@5x5 - max pool 2 - FC 100 - classes.</summary>
    OneConvPool,
    /// <summary>conv 20@5x5 - pool - conv 40@5x5 - pool - FC 100 - classes (Nielsen trains it with sigmoid units, 99.06%,
    /// then with ReLU and L2, 99.23%, and on the shift-expanded data, 99.37%).</summary>
    TwoConvPool,
    /// <summary>two conv-pool layers - FC 100 - FC 100 - classes.</summary>
    ExtraFullyConnected,
    /// <summary>two conv-pool layers - FC 1000 - dropout 0.5 - FC 1000 - dropout 0.5 - classes.</summary>
    Dropout,
}

/// <summary>Nielsen's chapter-6 ladder for 28x28 digits (network3.py): from a fully connected network to two conv-pool
/// layers with dropout on two FC-1000 layers. Nielsen uses sigmoid units for the first three rungs (FC, one and two
/// conv-pool layers) and ReLU from the two-conv network with L2 on; <c>relu</c> defaults to ReLU from
/// <see cref="NielsenStep.TwoConvPool"/> on, so Nielsen's sigmoid two-conv rung passes <c>relu: false</c> (the zoo's
/// nielsen-conv2-sigmoid). network3's ConvPoolLayer pools before its activation; for the monotonic sigmoid and ReLU
/// max pooling commutes with them, so conv - act - pool here is the same function. Its dropout layers drop the inputs
/// of each FC layer and of the softmax layer (drop0, drop1, drop2). Children conv1, conv2, fc1, fc2 (present as the
/// step needs) and out; the output is logits (softmax is in the cross-entropy loss).
/// The FC sizes follow from the input size, so the network takes exactly <c>inputSize</c> x <c>inputSize</c> images.</summary>
public sealed class NielsenLadder : Module
{
    public NielsenLadder(NielsenStep step, int numClasses = 10, int inChannels = 1, int inputSize = 28, bool? relu = null, Rng? rng = null)
    {
        if (!Enum.IsDefined(step)) throw new ArgumentOutOfRangeException(nameof(step), step, "unknown ladder step");
        if (inputSize < 16) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "the ladder needs inputSize >= 16");
        Step = step;
        InputSize = inputSize;
        bool useRelu = relu ?? step >= NielsenStep.TwoConvPool;
        Module Act() => useRelu ? new ReLU() : new Sigmoid();
        var net = new NamedSequential();
        int features = inChannels * inputSize * inputSize;
        if (step >= NielsenStep.OneConvPool)
        {
            net.Add("conv1", new Conv2d(inChannels, 20, 5, rng: rng)).Add("act1", Act()).Add("pool1", new MaxPool2d(2));
            int side = (inputSize - 4) / 2;
            features = 20 * side * side;
            if (step >= NielsenStep.TwoConvPool)
            {
                net.Add("conv2", new Conv2d(20, 40, 5, rng: rng)).Add("act2", Act()).Add("pool2", new MaxPool2d(2));
                side = (side - 4) / 2;
                features = 40 * side * side;
            }
        }
        net.Add("flatten", new Flatten());
        int hidden = step == NielsenStep.Dropout ? 1000 : 100;
        if (step == NielsenStep.Dropout) net.Add("drop0", new Dropout(0.5, ModelRng.Child(rng)));
        net.Add("fc1", new Linear(features, hidden, rng: rng)).Add("act3", Act());
        if (step >= NielsenStep.ExtraFullyConnected)
        {
            if (step == NielsenStep.Dropout) net.Add("drop1", new Dropout(0.5, ModelRng.Child(rng)));
            net.Add("fc2", new Linear(hidden, hidden, rng: rng)).Add("act4", Act());
            if (step == NielsenStep.Dropout) net.Add("drop2", new Dropout(0.5, ModelRng.Child(rng)));
        }
        net.Add("out", new Linear(hidden, numClasses, rng: rng));
        Layers = RegisterModule("layers", net);
    }

    public NielsenStep Step { get; }
    public int InputSize { get; }
    public NamedSequential Layers { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Size(2) != InputSize || input.Size(3) != InputSize)
            throw new ArgumentException($"this network takes [N, C, {InputSize}, {InputSize}] images; got {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        return Layers.Call(input);
    }
}
