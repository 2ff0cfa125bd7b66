using Hubel.Ops;

namespace Hubel.Nn.Layers;

/// <summary>Max pooling; stride defaults to the kernel. Arguments are validated when the layer is built.</summary>
public sealed class MaxPool2d : Module
{
    public MaxPool2d(Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false)
    {
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? kernel).AtLeast(1, nameof(stride));
        Padding = padding ?? 0;
        Dilation = (dilation ?? 1).AtLeast(1, nameof(dilation));
        if (Padding.H < 0 || Padding.W < 0 || Padding.H > kernel.H / 2 || Padding.W > kernel.W / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding ({Padding}) must be in [0, kernel/2] for kernel {kernel}");
        CeilMode = ceilMode;
    }

    public Size2 Kernel { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public Size2 Dilation { get; }
    public bool CeilMode { get; }

    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, Kernel, Stride, Padding, Dilation, CeilMode);
    public override string ExtraRepr() => $"kernel={Kernel}, stride={Stride}" + (Padding != new Size2(0, 0) ? $", padding={Padding}" : "");
}

/// <summary>Average pooling; stride defaults to the kernel; zero padding counts in the divisor unless
/// <c>countIncludePad</c> is false.</summary>
public sealed class AvgPool2d : Module
{
    public AvgPool2d(Size2 kernel, Size2? stride = null, Size2? padding = null, bool ceilMode = false, bool countIncludePad = true)
    {
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? kernel).AtLeast(1, nameof(stride));
        Padding = padding ?? 0;
        if (Padding.H < 0 || Padding.W < 0 || Padding.H > kernel.H / 2 || Padding.W > kernel.W / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding ({Padding}) must be in [0, kernel/2] for kernel {kernel}");
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    public Size2 Kernel { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }

    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, Kernel, Stride, Padding, CeilMode, CountIncludePad);
    public override string ExtraRepr() => $"kernel={Kernel}, stride={Stride}" + (Padding != new Size2(0, 0) ? $", padding={Padding}" : "");
}
