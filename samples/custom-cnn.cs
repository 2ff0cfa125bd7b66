// Define your own CNN — as a Sequential and as a Module subclass — and fit a small batch with SGD.
// Run from the repository root:  dotnet run samples/custom-cnn.cs
#:project ../src/Hubel/Hubel.csproj

using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Tensors;

Init.ManualSeed(42);
var net = new TinyNet(classes: 4);
Console.WriteLine(net);
Console.WriteLine($"{net.ParameterCount():N0} parameters: {string.Join(", ", net.NamedParameters().Select(p => p.Name))}");

var rng = new Rng(7);
var images = Tensor.Normal([16, 1, 16, 16], 0, 1, rng);
int[] labels = Enumerable.Range(0, 16).Select(i => i % 4).ToArray();
var sgd = new Sgd(net.Parameters(), lr: 0.05, momentum: 0.9);
for (int step = 0; step <= 30; step++)
{
    var loss = F.CrossEntropy(net.Forward(images), labels);
    sgd.ZeroGrad();
    loss.Backward();
    sgd.Step();
    if (step % 10 == 0) Console.WriteLine($"step {step}: loss {loss.Item():F4}");
}

/// <summary>conv(8, 3x3, same) - ReLU - max pool - conv(16, 3x3, stride 2) - ReLU - global average - linear.</summary>
sealed class TinyNet : Module
{
    private readonly Sequential _features;
    private readonly Linear _head;

    public TinyNet(int classes)
    {
        _features = RegisterModule("features", new Sequential(
            new Conv2d(1, 8, 3, padding: Padding.Same), new ReLU(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, stride: 2), new ReLU()));
        _head = RegisterModule("head", new Linear(16, classes));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = _features.Call(input);
        x = F.Mean(x, [2, 3]);          // global average pooling: [N, 16, h, w] -> [N, 16]
        return _head.Call(x);
    }
}
