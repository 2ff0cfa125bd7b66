using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>ResNet (He et al. 2015) as torchvision defines it: a 7x7/2 stem with batch norm and 3x3/2 max pooling, four
/// stages of residual blocks (64, 128, 256, 512 planes; the first block of stages 2-4 halves the size), global average
/// pooling and one FC layer. ResNet-18/34 use <see cref="BasicBlock"/>, 50/101/152 <see cref="Bottleneck"/>.
/// ResNet-18: 11,689,512 parameters, ResNet-50: 25,557,032 (1000 classes); names equal torchvision's. Every stage keeps
/// at least a 1x1 map, so any input size works.</summary>
public sealed class ResNet : Module
{
    /// <summary>Blocks per stage and whether they are bottlenecks, by depth.</summary>
    internal static (int[] Layers, bool Bottleneck) Layout(int depth) => depth switch
    {
        18 => ([2, 2, 2, 2], false),
        34 => ([3, 4, 6, 3], false),
        50 => ([3, 4, 6, 3], true),
        101 => ([3, 4, 23, 3], true),
        152 => ([3, 8, 36, 3], true),
        _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "ResNet depth must be 18, 34, 50, 101 or 152"),
    };

    /// <summary>ResNet-<paramref name="depth"/> (18, 34, 50, 101 or 152).</summary>
    public static ResNet Create(int depth, int numClasses = 1000, int inChannels = 3, Rng? rng = null)
    {
        var (layers, bottleneck) = Layout(depth);
        return new ResNet(layers, bottleneck, numClasses, inChannels, seReduction: 0, rng);
    }

    /// <param name="seReduction">0 for plain ResNet; r &gt; 0 adds a squeeze-and-excitation block with reduction r to every
    /// residual block (SE-ResNet, see <see cref="SeResNet"/>).</param>
    public ResNet(int[] layers, bool bottleneck, int numClasses = 1000, int inChannels = 3, int seReduction = 0, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length != 4 || layers.Any(n => n < 1)) throw new ArgumentException("layers must give four stage depths, each >= 1", nameof(layers));
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false, rng: rng));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        _relu = RegisterModule("relu", new ReLU());
        MaxPool = RegisterModule("maxpool", new MaxPool2d(3, 2, padding: 1));
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        int inplanes = 64;
        var stages = new Sequential[4];
        for (int s = 0; s < 4; s++)
        {
            int planes = 64 << s, stride = s == 0 ? 1 : 2;
            var stage = new Sequential();
            for (int b = 0; b < layers[s]; b++)
            {
                int blockStride = b == 0 ? stride : 1;
                Sequential? downsample = b == 0 && (stride != 1 || inplanes != planes * expansion)
                    ? new Sequential(new Conv2d(inplanes, planes * expansion, 1, stride: stride, bias: false, rng: rng), new BatchNorm2d(planes * expansion))
                    : null;
                stage.Add(bottleneck
                    ? new Bottleneck(inplanes, planes, blockStride, downsample, seReduction, rng)
                    : new BasicBlock(inplanes, planes, blockStride, downsample, seReduction, rng));
                inplanes = planes * expansion;
            }
            stages[s] = RegisterModule($"layer{s + 1}", stage);
        }
        Stages = stages;
        AvgPool = RegisterModule("avgpool", new GlobalAvgPool2d());
        Fc = RegisterModule("fc", new Linear(512 * expansion, numClasses, rng: rng));
    }

    private readonly ReLU _relu;
    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public MaxPool2d MaxPool { get; }
    /// <summary>layer1 .. layer4.</summary>
    public IReadOnlyList<Sequential> Stages { get; }
    public GlobalAvgPool2d AvgPool { get; }
    public Linear Fc { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = MaxPool.Call(_relu.Call(Bn1.Call(Conv1.Call(input))));
        foreach (var stage in Stages) x = stage.Call(x);
        return Fc.Call(AvgPool.Call(x).Flatten(1));
    }
}

/// <summary>ResNet's basic block: 3x3 conv - BN - ReLU - 3x3 conv - BN, plus the shortcut (identity, or 1x1 conv + BN
/// when the size or width changes), then ReLU. With <c>seReduction</c> &gt; 0 a squeeze-and-excitation block ("se")
/// rescales the residual branch's channels before the addition.</summary>
public sealed class BasicBlock : Module
{
    public const int Expansion = 1;

    public BasicBlock(int inplanes, int planes, int stride = 1, Sequential? downsample = null, int seReduction = 0, Rng? rng = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false, rng: rng));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        Conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, padding: 1, bias: false, rng: rng));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (seReduction > 0) Se = RegisterModule("se", new SeBlock(planes, seReduction, rng));
        if (downsample is not null) Downsample = RegisterModule("downsample", downsample);
    }

    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public Conv2d Conv2 { get; }
    public BatchNorm2d Bn2 { get; }
    public SeBlock? Se { get; }
    public Sequential? Downsample { get; }

    public override Tensor Forward(Tensor input)
    {
        var y = Bn2.Call(Conv2.Call(F.Relu(Bn1.Call(Conv1.Call(input)))));
        if (Se is not null) y = Se.Call(y);
        return F.Relu(F.Add(y, Downsample?.Call(input) ?? input));
    }
}

/// <summary>ResNet's bottleneck block: 1x1 conv (reduce to planes) - BN - ReLU - 3x3 conv (stride here, as torchvision's
/// "ResNet v1.5") - BN - ReLU - 1x1 conv (expand to 4·planes) - BN, plus the shortcut, then ReLU; optional SE ("se").</summary>
public sealed class Bottleneck : Module
{
    public const int Expansion = 4;

    public Bottleneck(int inplanes, int planes, int stride = 1, Sequential? downsample = null, int seReduction = 0, Rng? rng = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inplanes, planes, 1, bias: false, rng: rng));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        Conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false, rng: rng));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        Conv3 = RegisterModule("conv3", new Conv2d(planes, planes * Expansion, 1, bias: false, rng: rng));
        Bn3 = RegisterModule("bn3", new BatchNorm2d(planes * Expansion));
        if (seReduction > 0) Se = RegisterModule("se", new SeBlock(planes * Expansion, seReduction, rng));
        if (downsample is not null) Downsample = RegisterModule("downsample", downsample);
    }

    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public Conv2d Conv2 { get; }
    public BatchNorm2d Bn2 { get; }
    public Conv2d Conv3 { get; }
    public BatchNorm2d Bn3 { get; }
    public SeBlock? Se { get; }
    public Sequential? Downsample { get; }

    public override Tensor Forward(Tensor input)
    {
        var y = F.Relu(Bn1.Call(Conv1.Call(input)));
        y = F.Relu(Bn2.Call(Conv2.Call(y)));
        y = Bn3.Call(Conv3.Call(y));
        if (Se is not null) y = Se.Call(y);
        return F.Relu(F.Add(y, Downsample?.Call(input) ?? input));
    }
}
