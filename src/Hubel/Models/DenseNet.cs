using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>DenseNet (Huang et al. 2016) as torchvision defines it: a 7x7/2 stem and 3x3/2 max pool, four dense blocks
/// (each layer sees the concatenation of all earlier maps and adds <c>growthRate</c> new ones) joined by transitions
/// (BN - ReLU - 1x1 conv halving the channels, the compression θ = 0.5 - 2x2 average pool), a final BN, ReLU, global
/// average pooling and one FC layer. Every layer is the BC bottleneck: BN - ReLU - 1x1 conv to 4k - BN - ReLU - 3x3 conv to k.
/// DenseNet-121: 7,978,856 parameters (1000 classes); names equal torchvision's. Runs on images of 29x29 and up.</summary>
public sealed class DenseNet : Module
{
    /// <summary>DenseNet-<paramref name="depth"/> for ImageNet (121, 161, 169 or 201).</summary>
    public static DenseNet Create(int depth, int numClasses = 1000, int inChannels = 3, Rng? rng = null)
    {
        var (growth, blocks, init) = depth switch
        {
            121 => (32, new[] { 6, 12, 24, 16 }, 64),
            161 => (48, new[] { 6, 12, 36, 24 }, 96),
            169 => (32, new[] { 6, 12, 32, 32 }, 64),
            201 => (32, new[] { 6, 12, 48, 32 }, 64),
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "DenseNet depth must be 121, 161, 169 or 201"),
        };
        return new DenseNet(growth, blocks, init, numClasses, inChannels, smallImages: false, compression: 0.5, rng);
    }

    /// <summary>DenseNet-BC for 32x32 images (the paper's CIFAR model): a 3x3 stem of 2k maps without pooling, three dense
    /// blocks of (depth - 4)/6 bottleneck layers, compression 0.5. Depth 100, k = 12: 0.77 M parameters for 10 classes.</summary>
    public static DenseNet CreateSmallBc(int depth = 100, int growthRate = 12, int numClasses = 10, int inChannels = 3, Rng? rng = null)
    {
        if (depth < 10 || (depth - 4) % 6 != 0) throw new ArgumentOutOfRangeException(nameof(depth), depth, "DenseNet-BC depth must be 6n + 4 with n >= 1");
        int n = (depth - 4) / 6;
        return new DenseNet(growthRate, [n, n, n], 2 * growthRate, numClasses, inChannels, smallImages: true, compression: 0.5, rng);
    }

    /// <param name="compression">θ in (0, 1]: a transition keeps floor(θ·m) of its m input maps.</param>
    /// <param name="smallImages">a 3x3 stride-1 stem without pooling (CIFAR) instead of the 7x7/2 stem and max pool.</param>
    public DenseNet(int growthRate, int[] blockConfig, int initFeatures, int numClasses, int inChannels, bool smallImages,
        double compression = 0.5, Rng? rng = null, int bnSize = 4)
    {
        ArgumentNullException.ThrowIfNull(blockConfig);
        ArgumentOutOfRangeException.ThrowIfLessThan(growthRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(initFeatures, 1);
        if (blockConfig.Length == 0 || blockConfig.Any(b => b < 1)) throw new ArgumentException("every dense block needs at least one layer", nameof(blockConfig));
        if (!(compression > 0 && compression <= 1)) throw new ArgumentOutOfRangeException(nameof(compression), compression, "compression must be in (0, 1]");
        var features = new NamedSequential();
        if (smallImages)
            features.Add("conv0", new Conv2d(inChannels, initFeatures, 3, padding: 1, bias: false, rng: rng));
        else
            features.Add("conv0", new Conv2d(inChannels, initFeatures, 7, stride: 2, padding: 3, bias: false, rng: rng))
                .Add("norm0", new BatchNorm2d(initFeatures)).Add("relu0", new ReLU()).Add("pool0", new MaxPool2d(3, 2, padding: 1));
        int channels = initFeatures;
        for (int i = 0; i < blockConfig.Length; i++)
        {
            features.Add($"denseblock{i + 1}", new DenseBlock(blockConfig[i], channels, bnSize, growthRate, rng));
            channels += blockConfig[i] * growthRate;
            if (i == blockConfig.Length - 1) break;
            int reduced = Math.Max(1, (int)Math.Floor(compression * channels));
            features.Add($"transition{i + 1}", new Transition(channels, reduced, rng));
            channels = reduced;
        }
        features.Add("norm5", new BatchNorm2d(channels));
        Features = RegisterModule("features", features);
        _pool = RegisterModule("pool", new GlobalAvgPool2d());
        Classifier = RegisterModule("classifier", new Linear(channels, numClasses, rng: rng));
    }

    private readonly GlobalAvgPool2d _pool;
    public NamedSequential Features { get; }
    public Linear Classifier { get; }

    public override Tensor Forward(Tensor input) => Classifier.Call(_pool.Call(F.Relu(Features.Call(input))).Flatten(1));
}

/// <summary>A dense block: layer i takes the concatenation of the block's input and the maps of layers 0..i-1; the block
/// returns all of them concatenated (input channels + layers·k). Children denselayer1, denselayer2, ... as torchvision.</summary>
public sealed class DenseBlock : Module
{
    private readonly List<DenseLayer> _layers = [];

    public DenseBlock(int numLayers, int inChannels, int bnSize, int growthRate, Rng? rng = null)
    {
        for (int i = 0; i < numLayers; i++)
            _layers.Add(RegisterModule($"denselayer{i + 1}", new DenseLayer(inChannels + i * growthRate, growthRate, bnSize, rng)));
    }

    public override Tensor Forward(Tensor input)
    {
        var features = new List<Tensor> { input };
        foreach (var layer in _layers) features.Add(layer.Call(F.Cat([.. features], 1)));
        return F.Cat([.. features], 1);
    }
}

/// <summary>A DenseNet-BC layer: BN - ReLU - 1x1 conv (bottleneck to bnSize·k maps) - BN - ReLU - 3x3 conv to k maps.</summary>
public sealed class DenseLayer : Module
{
    public DenseLayer(int inChannels, int growthRate, int bnSize = 4, Rng? rng = null)
    {
        Norm1 = RegisterModule("norm1", new BatchNorm2d(inChannels));
        RegisterModule("relu1", new ReLU());
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, bnSize * growthRate, 1, bias: false, rng: rng));
        Norm2 = RegisterModule("norm2", new BatchNorm2d(bnSize * growthRate));
        RegisterModule("relu2", new ReLU());
        Conv2 = RegisterModule("conv2", new Conv2d(bnSize * growthRate, growthRate, 3, padding: 1, bias: false, rng: rng));
    }

    public BatchNorm2d Norm1 { get; }
    public Conv2d Conv1 { get; }
    public BatchNorm2d Norm2 { get; }
    public Conv2d Conv2 { get; }

    public override Tensor Forward(Tensor input) =>
        Conv2.Call(F.Relu(Norm2.Call(Conv1.Call(F.Relu(Norm1.Call(input))))));
}

/// <summary>A DenseNet transition: BN - ReLU - 1x1 conv (the compression) - 2x2 average pool (children norm, relu, conv, pool).</summary>
public sealed class Transition : Module
{
    public Transition(int inChannels, int outChannels, Rng? rng = null)
    {
        Norm = RegisterModule("norm", new BatchNorm2d(inChannels));
        _relu = RegisterModule("relu", new ReLU());
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, 1, bias: false, rng: rng));
        Pool = RegisterModule("pool", new AvgPool2d(2, 2));
    }

    private readonly ReLU _relu;
    public BatchNorm2d Norm { get; }
    public Conv2d Conv { get; }
    public AvgPool2d Pool { get; }

    public override Tensor Forward(Tensor input) => Pool.Call(Conv.Call(_relu.Call(Norm.Call(input))));
}
