using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>AlexNet as torchvision defines it (the single-tower variant of Krizhevsky's "one weird trick" paper):
/// conv 64@11x11/4 - pool 3/2 - conv 192@5x5 - pool - conv 384, 256, 256 @3x3 - pool - adaptive 6x6 average pool -
/// dropout - FC 4096 - dropout - FC 4096 - FC classes. 61,100,840 parameters for 1000 classes; names and shapes equal
/// torchvision's state_dict (features.N, classifier.N), so its weights load by name. Runs on images of 63x63 and up.</summary>
public sealed class AlexNet : Module
{
    public AlexNet(int numClasses = 1000, int inChannels = 3, Rng? rng = null, int hidden = 4096)
    {
        Features = RegisterModule("features", new Sequential(
            new Conv2d(inChannels, 64, 11, stride: 4, padding: 2, rng: rng), new ReLU(), new MaxPool2d(3, 2),
            new Conv2d(64, 192, 5, padding: 2, rng: rng), new ReLU(), new MaxPool2d(3, 2),
            new Conv2d(192, 384, 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(384, 256, 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(256, 256, 3, padding: 1, rng: rng), new ReLU(), new MaxPool2d(3, 2)));
        AvgPool = RegisterModule("avgpool", new AdaptiveAvgPool2d(6));
        Classifier = RegisterModule("classifier", AlexNetHead.Create(256 * 6 * 6, hidden, numClasses, rng));
    }

    public Sequential Features { get; }
    public AdaptiveAvgPool2d AvgPool { get; }
    public Sequential Classifier { get; }

    public override Tensor Forward(Tensor input) => Classifier.Call(AvgPool.Call(Features.Call(input)).Flatten(1));
}

/// <summary>AlexNet as in the 2012 paper: the two GPU towers are grouped convolutions (groups = 2 in conv2, conv4 and
/// conv5, whose kernels see only their own tower's maps; conv3 and the FC layers connect both towers), local response
/// normalisation (size 5, α = 1e-4, β = 0.75, k = 2) after ReLU in layers 1 and 2, and overlapping 3x3 stride-2 max
/// pooling. 96-256-384-384-256 maps, FC 4096-4096; 60,965,224 parameters for 1000 classes at 227x227. An adaptive 6x6
/// average pool (an identity at 227) lets it run on other sizes (67x67 and up).</summary>
public sealed class AlexNetPaper : Module
{
    public AlexNetPaper(int numClasses = 1000, int inChannels = 3, Rng? rng = null, int hidden = 4096)
    {
        Features = RegisterModule("features", new Sequential(
            new Conv2d(inChannels, 96, 11, stride: 4, rng: rng), new ReLU(), new LocalResponseNorm(5, 1e-4, 0.75, 2), new MaxPool2d(3, 2),
            new Conv2d(96, 256, 5, padding: 2, groups: 2, rng: rng), new ReLU(), new LocalResponseNorm(5, 1e-4, 0.75, 2), new MaxPool2d(3, 2),
            new Conv2d(256, 384, 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(384, 384, 3, padding: 1, groups: 2, rng: rng), new ReLU(),
            new Conv2d(384, 256, 3, padding: 1, groups: 2, rng: rng), new ReLU(), new MaxPool2d(3, 2)));
        AvgPool = RegisterModule("avgpool", new AdaptiveAvgPool2d(6));
        Classifier = RegisterModule("classifier", AlexNetHead.Create(256 * 6 * 6, hidden, numClasses, rng));
    }

    public Sequential Features { get; }
    public AdaptiveAvgPool2d AvgPool { get; }
    public Sequential Classifier { get; }

    public override Tensor Forward(Tensor input) => Classifier.Call(AvgPool.Call(Features.Call(input)).Flatten(1));
}

/// <summary>AlexNet's classifier: dropout 0.5 - FC - ReLU - dropout - FC - ReLU - FC (torchvision's classifier.0..6).</summary>
internal static class AlexNetHead
{
    public static Sequential Create(int inFeatures, int hidden, int numClasses, Rng? rng) => new(
        new Dropout(0.5, ModelRng.Child(rng)), new Linear(inFeatures, hidden, rng: rng), new ReLU(),
        new Dropout(0.5, ModelRng.Child(rng)), new Linear(hidden, hidden, rng: rng), new ReLU(),
        new Linear(hidden, numClasses, rng: rng));
}
