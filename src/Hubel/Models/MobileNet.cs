using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>MobileNet v1 (Howard et al. 2017): a 3x3/2 convolution then 13 depthwise-separable blocks (3x3 depthwise
/// conv - BN - ReLU - 1x1 pointwise conv - BN - ReLU), global average pooling and one FC layer. A depthwise-separable
/// block costs C·9 + C·C' weights instead of C·C'·9. Width 1.0: 4,231,976 parameters (1000 classes); any input size.</summary>
public sealed class MobileNetV1 : Module
{
    private static readonly (int Out, int Stride)[] Blocks =
        [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)];

    /// <param name="widthMultiplier">α: every layer's channel count is scaled by it (the paper's thinner models).</param>
    public MobileNetV1(int numClasses = 1000, int inChannels = 3, double widthMultiplier = 1.0, Rng? rng = null)
    {
        if (!(widthMultiplier > 0) || !double.IsFinite(widthMultiplier)) throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "widthMultiplier must be a positive number");
        int Scale(int c) => Math.Max(8, (int)Math.Round(c * widthMultiplier));
        var features = new Sequential(ConvBnAct.Create(inChannels, Scale(32), 3, 2, rng: rng, relu6: false));
        int channels = Scale(32);
        foreach (var (outChannels, stride) in Blocks)
        {
            features.Add(new DepthwiseSeparableBlock(channels, Scale(outChannels), stride, rng));
            channels = Scale(outChannels);
        }
        Features = RegisterModule("features", features);
        _pool = RegisterModule("pool", new GlobalAvgPool2d());
        Fc = RegisterModule("fc", new Linear(channels, numClasses, rng: rng));
    }

    private readonly GlobalAvgPool2d _pool;
    public Sequential Features { get; }
    public Linear Fc { get; }

    public override Tensor Forward(Tensor input) => Fc.Call(_pool.Call(Features.Call(input)).Flatten(1));
}

/// <summary>MobileNet v1's block: 3x3 depthwise conv (stride here) - BN - ReLU - 1x1 pointwise conv - BN - ReLU.</summary>
public sealed class DepthwiseSeparableBlock : Module
{
    public DepthwiseSeparableBlock(int inChannels, int outChannels, int stride, Rng? rng = null)
    {
        Depthwise = RegisterModule("depthwise", ConvBnAct.Create(inChannels, inChannels, 3, stride, groups: inChannels, rng: rng, relu6: false));
        Pointwise = RegisterModule("pointwise", ConvBnAct.Create(inChannels, outChannels, 1, 1, rng: rng, relu6: false));
    }

    public Sequential Depthwise { get; }
    public Sequential Pointwise { get; }

    public override Tensor Forward(Tensor input) => Pointwise.Call(Depthwise.Call(input));
}

/// <summary>MobileNet v2 (Sandler et al. 2018) as torchvision defines it: a 3x3/2 stem, 17 inverted residual blocks
/// (<see cref="InvertedResidual"/>: 1x1 expansion by t - 3x3 depthwise - 1x1 linear projection, residual when the shape
/// is kept), a 1x1 conv to 1280, global average pooling, dropout 0.2, FC. ReLU6 throughout. 3,504,872 parameters
/// (1000 classes); names equal torchvision's (features.N.conv.M..., classifier.1). Any input size.</summary>
public sealed class MobileNetV2 : Module
{
    private static readonly (int T, int C, int N, int S)[] Settings =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    public MobileNetV2(int numClasses = 1000, int inChannels = 3, double widthMultiplier = 1.0, Rng? rng = null, double dropout = 0.2)
    {
        if (!(widthMultiplier > 0) || !double.IsFinite(widthMultiplier)) throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "widthMultiplier must be a positive number");
        int input = MakeDivisible(32 * widthMultiplier), last = MakeDivisible(1280 * Math.Max(1.0, widthMultiplier));
        var features = new Sequential(ConvBnAct.Create(inChannels, input, 3, 2, rng: rng));
        foreach (var (t, c, n, s) in Settings)
        {
            int output = MakeDivisible(c * widthMultiplier);
            for (int i = 0; i < n; i++)
            {
                features.Add(new InvertedResidual(input, output, i == 0 ? s : 1, t, rng));
                input = output;
            }
        }
        features.Add(ConvBnAct.Create(input, last, 1, 1, rng: rng));
        Features = RegisterModule("features", features);
        _pool = RegisterModule("pool", new GlobalAvgPool2d());
        Classifier = RegisterModule("classifier", new Sequential(new Dropout(dropout, ModelRng.Child(rng)), new Linear(last, numClasses, rng: rng)));
    }

    /// <summary>torchvision's _make_divisible: the nearest multiple of 8, never below 90% of the value.</summary>
    internal static int MakeDivisible(double value, int divisor = 8)
    {
        int v = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        return v < 0.9 * value ? v + divisor : v;
    }

    private readonly GlobalAvgPool2d _pool;
    public Sequential Features { get; }
    public Sequential Classifier { get; }

    public override Tensor Forward(Tensor input) => Classifier.Call(_pool.Call(Features.Call(input)).Flatten(1));
}

/// <summary>MobileNet v2's inverted residual ("conv" child, as torchvision): [1x1 conv to t·C - BN - ReLU6 when t ≠ 1],
/// 3x3 depthwise conv - BN - ReLU6, 1x1 conv to C' - BN (linear: no activation on the narrow bottleneck), plus the
/// input when stride is 1 and C = C'.</summary>
public sealed class InvertedResidual : Module
{
    public InvertedResidual(int inChannels, int outChannels, int stride, int expandRatio, Rng? rng = null)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        ArgumentOutOfRangeException.ThrowIfLessThan(expandRatio, 1);
        int hidden = inChannels * expandRatio;
        UsesResidual = stride == 1 && inChannels == outChannels;
        var conv = new Sequential();
        if (expandRatio != 1) conv.Add(ConvBnAct.Create(inChannels, hidden, 1, 1, rng: rng));
        conv.Add(ConvBnAct.Create(hidden, hidden, 3, stride, groups: hidden, rng: rng))
            .Add(new Conv2d(hidden, outChannels, 1, bias: false, rng: rng)).Add(new BatchNorm2d(outChannels));
        Conv = RegisterModule("conv", conv);
    }

    public bool UsesResidual { get; }
    public Sequential Conv { get; }

    public override Tensor Forward(Tensor input) => UsesResidual ? Ops.F.Add(input, Conv.Call(input)) : Conv.Call(input);
}

/// <summary>torchvision's Conv2dNormActivation: conv (no bias, padding (k-1)/2) - BN - ReLU6 (or ReLU), children 0, 1, 2.</summary>
public static class ConvBnAct
{
    public static Sequential Create(int inChannels, int outChannels, int kernel, int stride, int groups = 1, Rng? rng = null, bool relu6 = true) =>
        new(new Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false, rng: rng),
            new BatchNorm2d(outChannels), relu6 ? new ReLU6() : new ReLU());
}
