using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>Depthwise separable convolution (S0 §5.13, S2 §3.8, MobileNet/Xception): a depthwise conv (one KH x KW kernel per
/// input channel, <c>depthMultiplier</c> of them, groups = inChannels) then a 1x1 pointwise conv to outChannels.
/// Parameters C·KH·KW·M + C·M·Cout (+ biases) instead of C·KH·KW·Cout; the notes' 3→256 3x3 example: 795 vs 6,912.
/// Children are named "depthwise" and "pointwise" (both <see cref="Conv2d"/>).</summary>
public sealed class DepthwiseSeparableConv2d : Module
{
    public DepthwiseSeparableConv2d(int inChannels, int outChannels, Size2 kernel, Size2? stride = null, Padding? padding = null,
        Size2? dilation = null, int depthMultiplier = 1, bool bias = true, Rng? rng = null)
    {
        if (depthMultiplier < 1) throw new ArgumentOutOfRangeException(nameof(depthMultiplier), $"depthMultiplier must be >= 1; got {depthMultiplier}");
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be >= 1; got {inChannels}");
        Depthwise = RegisterModule("depthwise", new Conv2d(inChannels, inChannels * depthMultiplier, kernel, stride, padding, dilation,
            groups: inChannels, bias: bias, rng: rng));
        Pointwise = RegisterModule("pointwise", new Conv2d(inChannels * depthMultiplier, outChannels, 1, bias: bias, rng: rng));
    }

    public Conv2d Depthwise { get; }
    public Conv2d Pointwise { get; }

    public override Tensor Forward(Tensor input) => Pointwise.Call(Depthwise.Call(input));
}

/// <summary>Locally connected (unshared) 2-D layer (S2 §3.1, DeepFace): a different kernel at every output position.
/// Weight [OH, OW, Cout, Cin, KH, KW] (output position, then the Conv2d kernel used there), bias [Cout, OH, OW] (one per
/// output unit). The input size is fixed when the layer is built, since the weight count depends on it:
/// OH·OW·Cout·Cin·KH·KW weights, OH·OW times a Conv2d's.</summary>
public sealed class LocallyConnected2d : Module
{
    public LocallyConnected2d(int inChannels, int outChannels, Size2 inputSize, Size2 kernel, Size2? stride = null, Size2? padding = null,
        bool bias = true, Rng? rng = null)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be >= 1; got {inChannels}");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), $"outChannels must be >= 1; got {outChannels}");
        inputSize.AtLeast(1, nameof(inputSize));
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? 1).AtLeast(1, nameof(stride));
        Padding = (padding ?? 0).AtLeast(0, nameof(padding));
        int oh = Analysis.ConvArithmetic.OutputSize(inputSize.H, kernel.H, Stride.H, Padding.H);
        int ow = Analysis.ConvArithmetic.OutputSize(inputSize.W, kernel.W, Stride.W, Padding.W);
        InChannels = inChannels; OutChannels = outChannels; InputSize = inputSize; OutputSize = (oh, ow);
        double bound = 1 / Math.Sqrt(inChannels * kernel.H * kernel.W);   // PyTorch's conv default (Kaiming a=√5) per position
        Weight = RegisterParameter("weight", Tensor.Uniform([oh, ow, outChannels, inChannels, kernel.H, kernel.W], -bound, bound, rng ?? Init.Generator));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outChannels, oh, ow], -bound, bound, rng ?? Init.Generator));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2 InputSize { get; }
    public Size2 OutputSize { get; }
    public Size2 Kernel { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => F.LocallyConnected2d(input, Weight, Bias, Stride, Padding);

    public override string ExtraRepr() => $"{InChannels}, {OutChannels}, input={InputSize}, kernel={Kernel}"
        + (Stride != new Size2(1, 1) ? $", stride={Stride}" : "") + (Padding != new Size2(0, 0) ? $", padding={Padding}" : "")
        + (Bias is null ? ", bias=false" : "");
}

/// <summary>Locally connected 1-D layer: weight [OL, Cout, Cin, K], bias [Cout, OL]; OL = floor((L + 2P - K)/S) + 1.</summary>
public sealed class LocallyConnected1d : Module
{
    public LocallyConnected1d(int inChannels, int outChannels, int inputLength, int kernel, int stride = 1, int padding = 0, bool bias = true, Rng? rng = null)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be >= 1; got {inChannels}");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), $"outChannels must be >= 1; got {outChannels}");
        if (inputLength < 1) throw new ArgumentOutOfRangeException(nameof(inputLength), $"inputLength must be >= 1; got {inputLength}");
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel must be >= 1; got {kernel}");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be >= 1; got {stride}");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0; got {padding}");
        int ol = Analysis.ConvArithmetic.OutputSize(inputLength, kernel, stride, padding);
        Kernel = kernel; Stride = stride; Padding = padding; OutputLength = ol;
        double bound = 1 / Math.Sqrt(inChannels * kernel);
        Weight = RegisterParameter("weight", Tensor.Uniform([ol, outChannels, inChannels, kernel], -bound, bound, rng ?? Init.Generator));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outChannels, ol], -bound, bound, rng ?? Init.Generator));
    }

    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutputLength { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => F.LocallyConnected1d(input, Weight, Bias, Stride, Padding);
}

/// <summary>Tiled convolution (S2 §3.2 拼接卷积): a TH x TW tile of kernels that repeats across the output, position (j, k)
/// using W[j % TH, k % TW]. Weight [TH, TW, Cout, Cin, KH, KW], bias [Cout, TH, TW] (tiled like the kernels). Tile 1 is
/// Conv2d; a tile as large as the output is <see cref="LocallyConnected2d"/>. Works on any input size.</summary>
public sealed class TiledConv2d : Module
{
    public TiledConv2d(int inChannels, int outChannels, Size2 kernel, Size2 tile, Size2? stride = null, Size2? padding = null,
        bool bias = true, Rng? rng = null)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be >= 1; got {inChannels}");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), $"outChannels must be >= 1; got {outChannels}");
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Tile = tile.AtLeast(1, nameof(tile));
        Stride = (stride ?? 1).AtLeast(1, nameof(stride));
        Padding = (padding ?? 0).AtLeast(0, nameof(padding));
        double bound = 1 / Math.Sqrt(inChannels * kernel.H * kernel.W);
        Weight = RegisterParameter("weight", Tensor.Uniform([tile.H, tile.W, outChannels, inChannels, kernel.H, kernel.W], -bound, bound, rng ?? Init.Generator));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outChannels, tile.H, tile.W], -bound, bound, rng ?? Init.Generator));
    }

    public Size2 Kernel { get; }
    public Size2 Tile { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => F.TiledConv2d(input, Weight, Bias, Stride, Padding);

    public override string ExtraRepr() => $"kernel={Kernel}, tile={Tile}" + (Stride != new Size2(1, 1) ? $", stride={Stride}" : "")
        + (Padding != new Size2(0, 0) ? $", padding={Padding}" : "") + (Bias is null ? ", bias=false" : "");
}
