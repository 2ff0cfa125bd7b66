using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>VGG (Simonyan and Zisserman 2014) as torchvision defines it: stacks of 3x3 convolutions (padding 1) with
/// 2x2 max pooling between stages, optionally batch norm after every convolution, an adaptive 7x7 average pool and the
/// FC 4096 - 4096 - classes head with dropout. Names equal torchvision's state_dict (features.N, classifier.0/3/6).
/// VGG-16: 138,357,544 parameters, VGG-19: 143,667,240 (1000 classes). Runs on images of 32x32 and up (five 2x2 pools).</summary>
public sealed class Vgg : Module
{
    /// <summary>Channel counts per convolution, 0 = a 2x2 max pool (the paper's configurations A, B, D, E).</summary>
    private static readonly Dictionary<int, int[]> Configs = new()
    {
        [11] = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
        [13] = [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
        [16] = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
        [19] = [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
    };

    /// <summary>VGG-<paramref name="depth"/> (11, 13, 16 or 19). <paramref name="hidden"/> is the width of the two FC
    /// layers (4096 in the paper; smaller for quick experiments).</summary>
    public static Vgg Create(int depth, bool batchNorm, int numClasses = 1000, int inChannels = 3, Rng? rng = null, int hidden = 4096) =>
        Configs.TryGetValue(depth, out var config) ? new Vgg(config, batchNorm, numClasses, inChannels, rng, hidden)
        : throw new ArgumentOutOfRangeException(nameof(depth), depth, "VGG depth must be 11, 13, 16 or 19");

    private Vgg(int[] config, bool batchNorm, int numClasses, int inChannels, Rng? rng, int hidden)
    {
        var features = new Sequential();
        int channels = inChannels;
        foreach (int c in config)
        {
            if (c == 0) { features.Add(new MaxPool2d(2, 2)); continue; }
            features.Add(new Conv2d(channels, c, 3, padding: 1, rng: rng));
            if (batchNorm) features.Add(new BatchNorm2d(c));
            features.Add(new ReLU());
            channels = c;
        }
        Features = RegisterModule("features", features);
        AvgPool = RegisterModule("avgpool", new AdaptiveAvgPool2d(7));
        Classifier = RegisterModule("classifier", new Sequential(
            new Linear(512 * 7 * 7, hidden, rng: rng), new ReLU(), new Dropout(0.5, ModelRng.Child(rng)),
            new Linear(hidden, hidden, rng: rng), new ReLU(), new Dropout(0.5, ModelRng.Child(rng)),
            new Linear(hidden, numClasses, rng: rng)));
    }

    public Sequential Features { get; }
    public AdaptiveAvgPool2d AvgPool { get; }
    public Sequential Classifier { get; }

    public override Tensor Forward(Tensor input) => Classifier.Call(AvgPool.Call(Features.Call(input)).Flatten(1));
}
