using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>1-D transposed convolution layer: [N, Cin, L] → [N, Cout, (L-1)S - 2P + D(K-1) + outputPadding + 1]; weight
/// [in, out/groups, K] (PyTorch's layout), optional bias [out], initialised as PyTorch (fan_in = out/groups·K).</summary>
public sealed class ConvTranspose1d : Module
{
    public ConvTranspose1d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, bool bias = true, int dilation = 1, Rng? rng = null)
    {
        ConvLayers.CheckChannels(inChannels, outChannels, groups);
        ConvLayers.CheckAtLeast([kernel], 1, nameof(kernel));
        ConvLayers.CheckAtLeast([stride], 1, nameof(stride));
        ConvLayers.CheckAtLeast([dilation], 1, nameof(dilation));
        ConvLayers.CheckAtLeast([padding], 0, nameof(padding));
        ConvLayers.CheckOutputPadding([outputPadding], [stride], [dilation]);
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; Padding = padding;
        OutputPadding = outputPadding; Groups = groups; Dilation = dilation;
        int[] shape = [inChannels, outChannels / groups, kernel];
        Weight = RegisterParameter("weight", ConvLayers.InitWeight(shape, rng));
        if (bias) Bias = RegisterParameter("bias", ConvLayers.InitBias(shape, outChannels, rng));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutputPadding { get; }
    public int Groups { get; }
    public int Dilation { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => F.ConvTranspose1d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    public override string ExtraRepr() => ConvLayers.Repr(InChannels, OutChannels, $"{Kernel}", Stride != 1 ? $"{Stride}" : null,
        Padding, Dilation != 1 ? $"{Dilation}" : null, Groups, Bias, PaddingMode.Zeros, OutputPadding != 0 ? $", outputPadding={OutputPadding}" : null);
}

/// <summary>2-D transposed convolution layer: [N, Cin, H, W] → [N, Cout, (H-1)SH - 2PH + DH(KH-1) + outputPaddingH + 1, likewise W];
/// weight [in, out/groups, KH, KW] (PyTorch's layout), optional bias [out], initialised as PyTorch.</summary>
public sealed class ConvTranspose2d : Module
{
    public ConvTranspose2d(int inChannels, int outChannels, Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? outputPadding = null,
        int groups = 1, bool bias = true, Size2? dilation = null, Rng? rng = null)
    {
        ConvLayers.CheckChannels(inChannels, outChannels, groups);
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? 1).AtLeast(1, nameof(stride));
        Dilation = (dilation ?? 1).AtLeast(1, nameof(dilation));
        Padding = (padding ?? 0).AtLeast(0, nameof(padding));
        OutputPadding = (outputPadding ?? 0).AtLeast(0, nameof(outputPadding));
        ConvLayers.CheckOutputPadding([OutputPadding.H, OutputPadding.W], [Stride.H, Stride.W], [Dilation.H, Dilation.W]);
        InChannels = inChannels; OutChannels = outChannels; Groups = groups;
        int[] shape = [inChannels, outChannels / groups, kernel.H, kernel.W];
        Weight = RegisterParameter("weight", ConvLayers.InitWeight(shape, rng));
        if (bias) Bias = RegisterParameter("bias", ConvLayers.InitBias(shape, outChannels, rng));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2 Kernel { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public Size2 OutputPadding { get; }
    public int Groups { get; }
    public Size2 Dilation { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    public override string ExtraRepr() => ConvLayers.Repr(InChannels, OutChannels, $"{Kernel}", Stride != new Size2(1, 1) ? $"{Stride}" : null,
        Padding != new Size2(0, 0) ? (Padding.H, Padding.W) : Ops.Padding.Valid, Dilation != new Size2(1, 1) ? $"{Dilation}" : null, Groups, Bias,
        PaddingMode.Zeros, OutputPadding != new Size2(0, 0) ? $", outputPadding={OutputPadding}" : null);
}

/// <summary>3-D transposed convolution layer: [N, Cin, D, H, W] → [N, Cout, OD, OH, OW], each (in-1)S - 2P + D(K-1) + outputPadding + 1;
/// weight [in, out/groups, KD, KH, KW] (PyTorch's layout), optional bias [out], initialised as PyTorch.</summary>
public sealed class ConvTranspose3d : Module
{
    public ConvTranspose3d(int inChannels, int outChannels, Size3 kernel, Size3? stride = null, Size3? padding = null, Size3? outputPadding = null,
        int groups = 1, bool bias = true, Size3? dilation = null, Rng? rng = null)
    {
        ConvLayers.CheckChannels(inChannels, outChannels, groups);
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? 1).AtLeast(1, nameof(stride));
        Dilation = (dilation ?? 1).AtLeast(1, nameof(dilation));
        Padding = (padding ?? 0).AtLeast(0, nameof(padding));
        OutputPadding = (outputPadding ?? 0).AtLeast(0, nameof(outputPadding));
        ConvLayers.CheckOutputPadding(OutputPadding.ToArray(), Stride.ToArray(), Dilation.ToArray());
        InChannels = inChannels; OutChannels = outChannels; Groups = groups;
        int[] shape = [inChannels, outChannels / groups, kernel.D, kernel.H, kernel.W];
        Weight = RegisterParameter("weight", ConvLayers.InitWeight(shape, rng));
        if (bias) Bias = RegisterParameter("bias", ConvLayers.InitBias(shape, outChannels, rng));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size3 Kernel { get; }
    public Size3 Stride { get; }
    public Size3 Padding { get; }
    public Size3 OutputPadding { get; }
    public int Groups { get; }
    public Size3 Dilation { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => F.ConvTranspose3d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    public override string ExtraRepr() => ConvLayers.Repr(InChannels, OutChannels, $"{Kernel}", Stride != 1 ? $"{Stride}" : null,
        Padding != 0 ? Ops.Padding.Explicit3d(Padding.D, Padding.D, Padding.H, Padding.H, Padding.W, Padding.W) : Ops.Padding.Valid,
        Dilation != 1 ? $"{Dilation}" : null, Groups, Bias, PaddingMode.Zeros, OutputPadding != 0 ? $", outputPadding={OutputPadding}" : null);
}
