using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>1-D convolution layer: [N, Cin, L] → [N, Cout, floor((L + padL + padR - D(K-1) - 1)/S) + 1]; weight
/// [out, in/groups, K], optional bias [out], initialised as PyTorch (Kaiming uniform with a=√5, bias U(±1/√fan_in)).
/// A paddingMode other than zeros pads with <see cref="F.Pad"/> first, as PyTorch's padding_mode.</summary>
public sealed class Conv1d : Module
{
    public Conv1d(int inChannels, int outChannels, int kernel, int stride = 1, Padding? padding = null, int dilation = 1,
        int groups = 1, bool bias = true, PaddingMode paddingMode = PaddingMode.Zeros, Rng? rng = null)
    {
        ConvLayers.CheckChannels(inChannels, outChannels, groups);
        ConvLayers.CheckAtLeast([kernel], 1, nameof(kernel));
        ConvLayers.CheckAtLeast([stride], 1, nameof(stride));
        ConvLayers.CheckAtLeast([dilation], 1, nameof(dilation));
        Padding = ConvPadding.CheckPadding(padding, 1);
        PaddingMode = ConvPadding.Check(paddingMode, nameof(paddingMode));
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; Dilation = dilation; Groups = groups;
        int[] shape = [outChannels, inChannels / groups, kernel];
        Weight = RegisterParameter("weight", ConvLayers.InitWeight(shape, rng));
        if (bias) Bias = RegisterParameter("bias", ConvLayers.InitBias(shape, outChannels, rng));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public Padding Padding { get; }
    public PaddingMode PaddingMode { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) =>
        ConvPadding.Apply(input, Padding, PaddingMode, [Kernel], [Stride], [Dilation]) is { } padded
            ? F.Conv1d(padded, Weight, Bias, Stride, Padding.Valid, Dilation, Groups)
            : F.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);

    public override string ExtraRepr() =>
        ConvLayers.Repr(InChannels, OutChannels, $"{Kernel}", Stride != 1 ? $"{Stride}" : null, Padding, Dilation != 1 ? $"{Dilation}" : null, Groups, Bias, PaddingMode);
}

/// <summary>3-D convolution layer: [N, Cin, D, H, W] → [N, Cout, OD, OH, OW]; weight [out, in/groups, KD, KH, KW], optional
/// bias [out], initialised as PyTorch. A paddingMode other than zeros pads with <see cref="F.Pad"/> first.</summary>
public sealed class Conv3d : Module
{
    public Conv3d(int inChannels, int outChannels, Size3 kernel, Size3? stride = null, Padding? padding = null, Size3? dilation = null,
        int groups = 1, bool bias = true, PaddingMode paddingMode = PaddingMode.Zeros, Rng? rng = null)
    {
        ConvLayers.CheckChannels(inChannels, outChannels, groups);
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? 1).AtLeast(1, nameof(stride));
        Dilation = (dilation ?? 1).AtLeast(1, nameof(dilation));
        Padding = ConvPadding.CheckPadding(padding, 3);
        PaddingMode = ConvPadding.Check(paddingMode, nameof(paddingMode));
        InChannels = inChannels; OutChannels = outChannels; Groups = groups;
        int[] shape = [outChannels, inChannels / groups, kernel.D, kernel.H, kernel.W];
        Weight = RegisterParameter("weight", ConvLayers.InitWeight(shape, rng));
        if (bias) Bias = RegisterParameter("bias", ConvLayers.InitBias(shape, outChannels, rng));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size3 Kernel { get; }
    public Size3 Stride { get; }
    public Padding Padding { get; }
    public PaddingMode PaddingMode { get; }
    public Size3 Dilation { get; }
    public int Groups { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) =>
        ConvPadding.Apply(input, Padding, PaddingMode, Kernel.ToArray(), Stride.ToArray(), Dilation.ToArray()) is { } padded
            ? F.Conv3d(padded, Weight, Bias, Stride, Padding.Valid, Dilation, Groups)
            : F.Conv3d(input, Weight, Bias, Stride, Padding, Dilation, Groups);

    public override string ExtraRepr() =>
        ConvLayers.Repr(InChannels, OutChannels, $"{Kernel}", Stride != 1 ? $"{Stride}" : null, Padding, Dilation != 1 ? $"{Dilation}" : null, Groups, Bias, PaddingMode);
}

/// <summary>Validation, initialisation and printing shared by the N-d conv layers.</summary>
internal static class ConvLayers
{
    public static void CheckChannels(int inChannels, int outChannels, int groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), $"groups ({groups}) must be >= 1 and divide both inChannels ({inChannels}) and outChannels ({outChannels})");
    }

    public static void CheckAtLeast(int[] values, int min, string name)
    {
        if (values.Any(v => v < min)) throw new ArgumentOutOfRangeException(name, $"{name} must be >= {min}; got ({string.Join(", ", values)})");
    }

    /// <summary>PyTorch's rule for transposed convolutions: outputPadding below stride or dilation in every dimension.</summary>
    public static void CheckOutputPadding(int[] outputPadding, int[] stride, int[] dilation)
    {
        for (int i = 0; i < outputPadding.Length; i++)
            if (outputPadding[i] < 0 || outputPadding[i] >= Math.Max(stride[i], dilation[i]))
                throw new ArgumentOutOfRangeException(nameof(outputPadding),
                    $"outputPadding ({outputPadding[i]}) must be >= 0 and smaller than either stride ({stride[i]}) or dilation ({dilation[i]})");
    }

    /// <summary>PyTorch's reset_parameters: weight Kaiming uniform with a=√5.</summary>
    public static Tensor InitWeight(int[] shape, Rng? rng) => Init.KaimingUniform(shape, a: Math.Sqrt(5), rng: rng);

    /// <summary>PyTorch's default bias U(±1/√fan_in), fan_in = shape[1]·kernel volume (for a transposed weight, Cout/groups·kernel).</summary>
    public static Tensor InitBias(int[] shape, int size, Rng? rng) => Init.DefaultBias(size, Init.Fans(shape).FanIn, rng);

    public static string Repr(int inChannels, int outChannels, string kernel, string? stride, Padding padding, string? dilation,
        int groups, Tensor? bias, PaddingMode mode, string? extra = null)
    {
        var s = $"{inChannels}, {outChannels}, kernel={kernel}";
        if (stride is not null) s += $", stride={stride}";
        if (padding != Padding.Valid) s += $", padding={padding}";
        if (extra is not null) s += extra;
        if (dilation is not null) s += $", dilation={dilation}";
        if (groups != 1) s += $", groups={groups}";
        if (bias is null) s += ", bias=false";
        if (mode != PaddingMode.Zeros) s += $", paddingMode={mode}";
        return s;
    }
}
