using Hubel.Ops;

namespace Hubel.Nn.Layers;

/// <summary>Max pooling over [N, C, L]; stride defaults to the kernel. Arguments are validated when the layer is built.</summary>
public sealed class MaxPool1d : Module
{
    public MaxPool1d(int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        (Kernel, Stride, Padding) = PoolArgs.Check1d(kernel, stride, padding);
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), $"dilation must be >= 1; got {dilation}");
        Dilation = dilation;
        CeilMode = ceilMode;
    }

    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public bool CeilMode { get; }

    public override Tensor Forward(Tensor input) => F.MaxPool1d(input, Kernel, Stride, Padding, Dilation, CeilMode);
    public override string ExtraRepr() => $"kernel={Kernel}, stride={Stride}" + (Padding != 0 ? $", padding={Padding}" : "");
}

/// <summary>Average pooling over [N, C, L]; zero padding counts in the divisor unless <c>countIncludePad</c> is false.</summary>
public sealed class AvgPool1d : Module
{
    public AvgPool1d(int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        (Kernel, Stride, Padding) = PoolArgs.Check1d(kernel, stride, padding);
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }

    public override Tensor Forward(Tensor input) => F.AvgPool1d(input, Kernel, Stride, Padding, CeilMode, CountIncludePad);
    public override string ExtraRepr() => $"kernel={Kernel}, stride={Stride}" + (Padding != 0 ? $", padding={Padding}" : "");
}

/// <summary>Max pooling over [N, C, D, H, W]; stride defaults to the kernel.</summary>
public sealed class MaxPool3d : Module
{
    public MaxPool3d(Size3 kernel, Size3? stride = null, Size3? padding = null, Size3? dilation = null, bool ceilMode = false)
    {
        (Kernel, Stride, Padding) = PoolArgs.Check3d(kernel, stride, padding);
        Dilation = (dilation ?? 1).AtLeast(1, nameof(dilation));
        CeilMode = ceilMode;
    }

    public Size3 Kernel { get; }
    public Size3 Stride { get; }
    public Size3 Padding { get; }
    public Size3 Dilation { get; }
    public bool CeilMode { get; }

    public override Tensor Forward(Tensor input) => F.MaxPool3d(input, Kernel, Stride, Padding, Dilation, CeilMode);
    public override string ExtraRepr() => $"kernel={Kernel}, stride={Stride}" + (Padding != new Size3(0, 0, 0) ? $", padding={Padding}" : "");
}

/// <summary>Average pooling over [N, C, D, H, W]; zero padding counts in the divisor unless <c>countIncludePad</c> is false.</summary>
public sealed class AvgPool3d : Module
{
    public AvgPool3d(Size3 kernel, Size3? stride = null, Size3? padding = null, bool ceilMode = false, bool countIncludePad = true)
    {
        (Kernel, Stride, Padding) = PoolArgs.Check3d(kernel, stride, padding);
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    public Size3 Kernel { get; }
    public Size3 Stride { get; }
    public Size3 Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }

    public override Tensor Forward(Tensor input) => F.AvgPool3d(input, Kernel, Stride, Padding, CeilMode, CountIncludePad);
    public override string ExtraRepr() => $"kernel={Kernel}, stride={Stride}" + (Padding != new Size3(0, 0, 0) ? $", padding={Padding}" : "");
}

/// <summary>Power-average pooling over [N, C, L]: (Σ_window x^p)^(1/p).</summary>
public sealed class LPPool1d : Module
{
    public LPPool1d(double normType, int kernel, int? stride = null, bool ceilMode = false)
    {
        NormType = PoolArgs.CheckNorm(normType);
        (Kernel, Stride, _) = PoolArgs.Check1d(kernel, stride, 0);
        CeilMode = ceilMode;
    }

    public double NormType { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public bool CeilMode { get; }

    public override Tensor Forward(Tensor input) => F.LpPool1d(input, NormType, Kernel, Stride, CeilMode);
    public override string ExtraRepr() => $"normType={NormType}, kernel={Kernel}, stride={Stride}";
}

/// <summary>Power-average pooling over [N, C, H, W]: (Σ_window x^p)^(1/p); p = 2 is L2 pooling.</summary>
public sealed class LPPool2d : Module
{
    public LPPool2d(double normType, Size2 kernel, Size2? stride = null, bool ceilMode = false)
    {
        NormType = PoolArgs.CheckNorm(normType);
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? kernel).AtLeast(1, nameof(stride));
        CeilMode = ceilMode;
    }

    public double NormType { get; }
    public Size2 Kernel { get; }
    public Size2 Stride { get; }
    public bool CeilMode { get; }

    public override Tensor Forward(Tensor input) => F.LpPool2d(input, NormType, Kernel, Stride, CeilMode);
    public override string ExtraRepr() => $"normType={NormType}, kernel={Kernel}, stride={Stride}";
}

/// <summary>Constructor checks shared by the pooling layers (the same rules and parameter names as the ops).</summary>
internal static class PoolArgs
{
    public static (int Kernel, int Stride, int Padding) Check1d(int kernel, int? stride, int padding)
    {
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel must be >= 1; got {kernel}");
        int s = stride ?? kernel;
        if (s < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be >= 1; got {s}");
        if (padding < 0 || padding > kernel / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be in [0, kernel/2 = {kernel / 2}]; got {padding}");
        return (kernel, s, padding);
    }

    public static (Size3 Kernel, Size3 Stride, Size3 Padding) Check3d(Size3 kernel, Size3? stride, Size3? padding)
    {
        kernel.AtLeast(1, nameof(kernel));
        var s = (stride ?? kernel).AtLeast(1, nameof(stride));
        var p = padding ?? 0;
        if (p.D < 0 || p.H < 0 || p.W < 0 || p.D > kernel.D / 2 || p.H > kernel.H / 2 || p.W > kernel.W / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding ({p}) must be in [0, kernel/2] for kernel {kernel}");
        return (kernel, s, p);
    }

    public static double CheckNorm(double normType) =>
        normType > 0 && !double.IsInfinity(normType) ? normType
            : throw new ArgumentOutOfRangeException(nameof(normType), $"normType must be finite and > 0; got {normType}");

    public static int Positive(int value, string name) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, $"{name} must be >= 1; got {value}");
}
