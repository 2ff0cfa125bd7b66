using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>Builds a model by the name used on the command line and in saved files. Every architecture of the
/// notes is one <see cref="ZooEntry"/> line below; names match torchvision's where torchvision has the model.</summary>
public static class ModelZoo
{
    private static readonly ZooEntry[] All =
    [
        new("lenet5", "LeNet-5 (ReLU, max pooling) for 28x28 digits/clothes", 28, 28, (k, c, r) => new LeNet5(k, c, r), FixedSize: true),
        new("nielsen-fc", "Nielsen ch.6 baseline: one fully connected hidden layer of 100 sigmoid units", 28, 28, (k, c, r) => new NielsenLadder(NielsenStep.FullyConnected, k, c, rng: r), FixedSize: true),
        new("nielsen-conv1", "Nielsen ch.6: one conv-pool layer (20@5x5) + FC-100, sigmoid", 28, 28, (k, c, r) => new NielsenLadder(NielsenStep.OneConvPool, k, c, rng: r), FixedSize: true),
        new("nielsen-conv2-sigmoid", "Nielsen ch.6: two conv-pool layers (20, 40 @5x5) + FC-100, sigmoid (his 99.06% rung)", 28, 28, (k, c, r) => new NielsenLadder(NielsenStep.TwoConvPool, k, c, relu: false, rng: r), FixedSize: true),
        new("nielsen-conv2", "Nielsen ch.6: two conv-pool layers (20, 40 @5x5) + FC-100, ReLU", 28, 28, (k, c, r) => new NielsenLadder(NielsenStep.TwoConvPool, k, c, rng: r), FixedSize: true),
        new("nielsen-conv2-fc2", "Nielsen ch.6: two conv-pool layers + two FC-100 layers, ReLU", 28, 28, (k, c, r) => new NielsenLadder(NielsenStep.ExtraFullyConnected, k, c, rng: r), FixedSize: true),
        new("nielsen-dropout", "Nielsen ch.6: two conv-pool layers + two FC-1000 layers with dropout 0.5", 28, 28, (k, c, r) => new NielsenLadder(NielsenStep.Dropout, k, c, rng: r), FixedSize: true),
        new("alexnet", "AlexNet, single tower as torchvision (64-192-384-256-256, adaptive 6x6 pool)", 224, 63, (k, c, r) => new AlexNet(k, c, r)),
        new("alexnet-paper", "AlexNet as in the paper: two towers (grouped convs), LRN, overlapping 3x3/2 pooling", 227, 67, (k, c, r) => new AlexNetPaper(k, c, r)),
        new("vgg11", "VGG-11 (config A)", 224, 32, (k, c, r) => Vgg.Create(11, false, k, c, r)),
        new("vgg13", "VGG-13 (config B)", 224, 32, (k, c, r) => Vgg.Create(13, false, k, c, r)),
        new("vgg16", "VGG-16 (config D)", 224, 32, (k, c, r) => Vgg.Create(16, false, k, c, r)),
        new("vgg19", "VGG-19 (config E)", 224, 32, (k, c, r) => Vgg.Create(19, false, k, c, r)),
        new("vgg11_bn", "VGG-11 with batch norm", 224, 32, (k, c, r) => Vgg.Create(11, true, k, c, r)),
        new("vgg13_bn", "VGG-13 with batch norm", 224, 32, (k, c, r) => Vgg.Create(13, true, k, c, r)),
        new("vgg16_bn", "VGG-16 with batch norm", 224, 32, (k, c, r) => Vgg.Create(16, true, k, c, r)),
        new("vgg19_bn", "VGG-19 with batch norm", 224, 32, (k, c, r) => Vgg.Create(19, true, k, c, r)),
        new("nin", "Network in Network (CIFAR): three mlpconv blocks, global average pooling", 32, 6, (k, c, r) => new Nin(k, c, r)),
        new("googlenet", "GoogLeNet / Inception v1 without auxiliary heads (torchvision)", 224, 31, (k, c, r) => new GoogLeNet(k, c, auxLogits: false, r)),
        new("googlenet-aux", "GoogLeNet / Inception v1 with the two auxiliary classifiers", 224, 31, (k, c, r) => new GoogLeNet(k, c, auxLogits: true, r)),
        new("resnet18", "ResNet-18 (basic blocks 2-2-2-2)", 224, 1, (k, c, r) => ResNet.Create(18, k, c, r)),
        new("resnet34", "ResNet-34 (basic blocks 3-4-6-3)", 224, 1, (k, c, r) => ResNet.Create(34, k, c, r)),
        new("resnet50", "ResNet-50 (bottleneck blocks 3-4-6-3)", 224, 1, (k, c, r) => ResNet.Create(50, k, c, r)),
        new("resnet101", "ResNet-101 (bottleneck blocks 3-4-23-3)", 224, 1, (k, c, r) => ResNet.Create(101, k, c, r)),
        new("resnet152", "ResNet-152 (bottleneck blocks 3-8-36-3)", 224, 1, (k, c, r) => ResNet.Create(152, k, c, r)),
        new("se-resnet18", "SE-ResNet-18: ResNet-18 with a squeeze-and-excitation block (r = 16) in every residual block", 224, 1, (k, c, r) => SeResNet.Create(18, k, c, r)),
        new("se-resnet50", "SE-ResNet-50: ResNet-50 with squeeze-and-excitation (r = 16)", 224, 1, (k, c, r) => SeResNet.Create(50, k, c, r)),
        new("densenet121", "DenseNet-121 (k = 32, blocks 6-12-24-16, BC)", 224, 29, (k, c, r) => DenseNet.Create(121, k, c, r)),
        new("densenet161", "DenseNet-161 (k = 48, blocks 6-12-36-24, BC)", 224, 29, (k, c, r) => DenseNet.Create(161, k, c, r)),
        new("densenet169", "DenseNet-169 (k = 32, blocks 6-12-32-32, BC)", 224, 29, (k, c, r) => DenseNet.Create(169, k, c, r)),
        new("densenet201", "DenseNet-201 (k = 32, blocks 6-12-48-32, BC)", 224, 29, (k, c, r) => DenseNet.Create(201, k, c, r)),
        new("densenet-bc-100", "DenseNet-BC-100 for small images (k = 12, 3 blocks of 16, compression 0.5)", 32, 4, (k, c, r) => DenseNet.CreateSmallBc(100, 12, k, c, r)),
        new("mobilenet_v1", "MobileNet v1 (depthwise-separable convolutions, width 1.0)", 224, 1, (k, c, r) => new MobileNetV1(k, c, rng: r)),
        new("mobilenet_v2", "MobileNet v2 (inverted residuals, linear bottlenecks; torchvision)", 224, 1, (k, c, r) => new MobileNetV2(k, c, rng: r)),
        new("shufflenet_v1", "ShuffleNet v1 (g = 3, grouped 1x1 convs + channel shuffle)", 224, 1, (k, c, r) => new ShuffleNetV1(k, c, rng: r)),
        new("shufflenet_v2_x0_5", "ShuffleNet v2 x0.5 (channel split + shuffle; torchvision)", 224, 1, (k, c, r) => ShuffleNetV2.Create(0.5, k, c, r)),
        new("shufflenet_v2_x1_0", "ShuffleNet v2 x1.0 (channel split + shuffle; torchvision)", 224, 1, (k, c, r) => ShuffleNetV2.Create(1.0, k, c, r)),
        new("shufflenet_v2_x1_5", "ShuffleNet v2 x1.5 (channel split + shuffle; torchvision)", 224, 1, (k, c, r) => ShuffleNetV2.Create(1.5, k, c, r)),
        new("shufflenet_v2_x2_0", "ShuffleNet v2 x2.0 (channel split + shuffle; torchvision)", 224, 1, (k, c, r) => ShuffleNetV2.Create(2.0, k, c, r)),
        new("xception", "Xception (depthwise-separable entry/middle/exit flows, residual)", 299, 7, (k, c, r) => new Xception(k, c, r)),
        new("fcn", "Encoder-decoder segmentation net (U-Net style skips, transposed convs); image logits = mean of pixel logits", 28, 4, (k, c, r) => new SegmentationNet(k, c, imageLevelOutput: true, rng: r)),
        new("fcn-bilinear", "The fcn encoder-decoder with bilinear 2x upsampling (after a 1x1 conv) instead of transposed convs", 28, 4, (k, c, r) => new SegmentationNet(k, c, imageLevelOutput: true, rng: r, upsampling: FcnUpsampling.Bilinear)),
        new("textcnn", "Kim's TextCNN (windows 3,4,5 x 100 maps, max-over-time, dropout 0.5) reading image rows as words", 28, 28, (k, c, r) => TextCnn.ForImages(28, k, c, r), FixedSize: true),
        new("deepface", "DeepFace-style: conv-pool-conv, three locally connected layers, FC-4096 (152x152 as in the paper)", 152, 152, (k, c, r) => new DeepFace(k, c, 152, rng: r), FixedSize: true),
        new("network3", "Nielsen's network3 as the peer benchmark: conv20@5x5-pool-conv40@5x5-pool-fc100-fc10, ReLU", 28, 28, (k, c, r) => new Network3(k, c, r), FixedSize: true),
        new("resnet8", "CIFAR ResNet-8 (option-A shortcuts, 3 stages of 1 basic block, 16-32-64): the cheapest of the family", 32, 1, (k, c, r) => new ResNetCifar(8, k, c, r)),
        new("resnet14", "CIFAR ResNet-14 (option-A shortcuts, 3 stages of 2 basic blocks)", 32, 1, (k, c, r) => new ResNetCifar(14, k, c, r)),
        new("resnet20", "CIFAR ResNet-20 (He et al. 2016, option-A shortcuts; 3 stages of 3 basic blocks, 16-32-64)", 32, 1, (k, c, r) => new ResNetCifar(20, k, c, r)),
        new("resnet32", "CIFAR ResNet-32 (option-A shortcuts, 3 stages of 5 basic blocks)", 32, 1, (k, c, r) => new ResNetCifar(32, k, c, r)),
        new("resnet56", "CIFAR ResNet-56 (option-A shortcuts, 3 stages of 9 basic blocks)", 32, 1, (k, c, r) => new ResNetCifar(56, k, c, r)),
    ];

    private static readonly Dictionary<string, ZooEntry> ByName = BuildIndex();

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["lenet"] = "lenet5", ["lenet-5"] = "lenet5", ["inception_v1"] = "googlenet", ["inception-v1"] = "googlenet", ["nielsen"] = "network3",
    };

    public static IReadOnlyList<ZooEntry> Entries => All;

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(e => e.Name)];

    /// <summary>The entry for <paramref name="name"/> (case-insensitive; a few aliases such as "lenet").</summary>
    public static ZooEntry Entry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.ToLowerInvariant();
        if (Aliases.TryGetValue(key, out var target)) key = target;
        return ByName.TryGetValue(key, out var entry) ? entry
            : throw new ArgumentException($"unknown model '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name));
    }

    public static Module Create(string name, int numClasses = 10, int inChannels = 1, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        return Entry(name).Factory(numClasses, inChannels, rng);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the model, the input size and the size it needs
    /// unless <paramref name="name"/> runs on <paramref name="height"/> x <paramref name="width"/> images.</summary>
    public static void CheckInput(string name, int height, int width) => Entry(name).CheckInput(height, width);

    private static Dictionary<string, ZooEntry> BuildIndex()
    {
        var index = new Dictionary<string, ZooEntry>();
        foreach (var e in All)
            if (!index.TryAdd(e.Name, e)) throw new InvalidOperationException($"model '{e.Name}' is registered twice");
        return index;
    }
}
