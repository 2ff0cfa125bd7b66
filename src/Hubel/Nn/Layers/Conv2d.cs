using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>2-D convolution layer: weight [out, in/groups, KH, KW], optional bias [out], initialised as PyTorch
/// does (Kaiming uniform with a=√5). Hyper-parameters are validated here, before any input arrives.
/// A paddingMode other than zeros pads with <see cref="F.Pad"/> first, as PyTorch's padding_mode.</summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, Size2 kernel, Size2? stride = null, Padding? padding = null,
        Size2? dilation = null, int groups = 1, bool bias = true, Rng? rng = null, PaddingMode paddingMode = PaddingMode.Zeros,
        ConvAlgorithm algorithm = ConvAlgorithm.Direct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? 1).AtLeast(1, nameof(stride));
        Dilation = (dilation ?? 1).AtLeast(1, nameof(dilation));
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), $"groups ({groups}) must be >= 1 and divide both inChannels ({inChannels}) and outChannels ({outChannels})");
        if (padding is Padding.ExplicitPadding e && (e.Top < 0 || e.Bottom < 0 || e.Left < 0 || e.Right < 0))
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0; got {e}");
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Groups = groups;
        Padding = padding ?? Padding.Valid;
        PaddingMode = ConvPadding.Check(paddingMode, nameof(paddingMode));
        if (algorithm == ConvAlgorithm.Fft && (Stride != new Size2(1, 1) || Dilation != new Size2(1, 1)))
            throw new ArgumentException($"the FFT algorithm needs stride 1 and dilation 1; got stride {Stride}, dilation {Dilation}", nameof(algorithm));
        if (algorithm is (ConvAlgorithm.Winograd or ConvAlgorithm.Winograd4x4) && (kernel != new Size2(3, 3) || Stride != new Size2(1, 1) || Dilation != new Size2(1, 1)))
            throw new ArgumentException($"the Winograd algorithm needs a 3x3 kernel, stride 1 and dilation 1; got kernel {kernel}, stride {Stride}, dilation {Dilation}", nameof(algorithm));
        Algorithm = algorithm;
        int[] shape = [outChannels, inChannels / groups, kernel.H, kernel.W];
        Weight = RegisterParameter("weight", Init.KaimingUniform(shape, a: Math.Sqrt(5), rng: rng));
        if (bias) Bias = RegisterParameter("bias", Init.DefaultBias(outChannels, Init.Fans(shape).FanIn, rng));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2 Kernel { get; }
    public Size2 Stride { get; }
    public Padding Padding { get; }
    public PaddingMode PaddingMode { get; }
    public Size2 Dilation { get; }
    public int Groups { get; }
    /// <summary>Direct (the per-shape heuristic), Fft, or a forced kernel such as Winograd; see <see cref="ConvAlgorithm"/>.</summary>
    public ConvAlgorithm Algorithm { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) =>
        ConvPadding.Apply(input, Padding, PaddingMode, [Kernel.H, Kernel.W], [Stride.H, Stride.W], [Dilation.H, Dilation.W]) is { } padded
            ? F.Conv2d(padded, Weight, Bias, Stride, Padding.Valid, Dilation, Groups, Algorithm)
            : F.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups, Algorithm);

    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel={Kernel}";
        if (Stride != new Size2(1, 1)) s += $", stride={Stride}";
        if (Padding != Padding.Valid) s += $", padding={Padding}";
        if (Dilation != new Size2(1, 1)) s += $", dilation={Dilation}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=false";
        if (PaddingMode != PaddingMode.Zeros) s += $", paddingMode={PaddingMode}";
        if (Algorithm != ConvAlgorithm.Direct) s += $", algorithm={Algorithm}";
        return s;
    }
}
