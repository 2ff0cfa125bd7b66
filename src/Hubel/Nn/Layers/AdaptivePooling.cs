using Hubel.Ops;

namespace Hubel.Nn.Layers;

/// <summary>Adaptive average pooling [N, C, H, W] → [N, C, outputSize] for any H, W.</summary>
public sealed class AdaptiveAvgPool2d(Size2 outputSize) : Module
{
    public Size2 OutputSize { get; } = outputSize.AtLeast(1, nameof(outputSize));
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, OutputSize);
    public override string ExtraRepr() => $"outputSize={OutputSize}";
}

/// <summary>Adaptive max pooling [N, C, H, W] → [N, C, outputSize] for any H, W.</summary>
public sealed class AdaptiveMaxPool2d(Size2 outputSize) : Module
{
    public Size2 OutputSize { get; } = outputSize.AtLeast(1, nameof(outputSize));
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool2d(input, OutputSize);
    public override string ExtraRepr() => $"outputSize={OutputSize}";
}

/// <summary>Adaptive average pooling [N, C, L] → [N, C, outputSize].</summary>
public sealed class AdaptiveAvgPool1d(int outputSize) : Module
{
    public int OutputSize { get; } = PoolArgs.Positive(outputSize, nameof(outputSize));
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool1d(input, OutputSize);
    public override string ExtraRepr() => $"outputSize={OutputSize}";
}

/// <summary>Adaptive max pooling [N, C, L] → [N, C, outputSize].</summary>
public sealed class AdaptiveMaxPool1d(int outputSize) : Module
{
    public int OutputSize { get; } = PoolArgs.Positive(outputSize, nameof(outputSize));
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool1d(input, OutputSize);
    public override string ExtraRepr() => $"outputSize={OutputSize}";
}

/// <summary>Global average pooling [N, C, H, W] → [N, C, 1, 1] (the mean of each feature map; NIN/GoogLeNet heads).</summary>
public sealed class GlobalAvgPool2d : Module
{
    public override Tensor Forward(Tensor input) => F.GlobalAvgPool2d(input);
}

/// <summary>Global max pooling [N, C, H, W] → [N, C, 1, 1].</summary>
public sealed class GlobalMaxPool2d : Module
{
    public override Tensor Forward(Tensor input) => F.GlobalMaxPool2d(input);
}

/// <summary>Spatial pyramid pooling [N, C, H, W] → [N, C·Σ l²] for any H, W (levels [1, 2, 4] → C·21): lets a
/// fully connected head follow convolutions on images of any size.</summary>
public sealed class SpatialPyramidPooling : Module
{
    public SpatialPyramidPooling(params int[] levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Length == 0) throw new ArgumentException("levels must name at least one pyramid level", nameof(levels));
        foreach (int l in levels)
            if (l < 1) throw new ArgumentOutOfRangeException(nameof(levels), $"every level must be >= 1; got {l}");
        Levels = [.. levels];
    }

    public IReadOnlyList<int> Levels { get; }

    /// <summary>The output length per image for <paramref name="channels"/> input channels: C·Σ l².</summary>
    public int OutputFeatures(int channels) => channels * Levels.Sum(l => l * l);

    public override Tensor Forward(Tensor input) => F.SpatialPyramidPool(input, [.. Levels]);
    public override string ExtraRepr() => $"levels=[{string.Join(", ", Levels)}]";
}

/// <summary>Max unpooling: the partial inverse of <see cref="F.MaxPool2dWithIndices"/>. Needs the indices, so call
/// <see cref="Forward(Tensor, Tensor, Size2?)"/>; the one-argument <see cref="Forward(Tensor)"/> throws.</summary>
public sealed class MaxUnpool2d : Module
{
    public MaxUnpool2d(Size2 kernel, Size2? stride = null, Size2? padding = null)
    {
        Kernel = kernel.AtLeast(1, nameof(kernel));
        Stride = (stride ?? kernel).AtLeast(1, nameof(stride));
        Padding = padding ?? 0;
        if (Padding.H < 0 || Padding.W < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0; got {Padding}");
    }

    public Size2 Kernel { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }

    public Tensor Forward(Tensor input, Tensor indices, Size2? outputSize = null) => F.MaxUnpool2d(input, indices, Kernel, Stride, Padding, outputSize);

    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("MaxUnpool2d needs the indices of the max pooling it inverts: call Forward(input, indices)");

    public override string ExtraRepr() => $"kernel={Kernel}, stride={Stride}" + (Padding != new Size2(0, 0) ? $", padding={Padding}" : "");
}

/// <summary>Cross-channel max pooling [N, C, ...] → [N, C/k, ...]: the max over each group of k consecutive channels.</summary>
public sealed class ChannelMaxPool(int kernel) : Module
{
    public int Kernel { get; } = PoolArgs.Positive(kernel, nameof(kernel));
    public override Tensor Forward(Tensor input) => F.ChannelMaxPool(input, Kernel);
    public override string ExtraRepr() => $"kernel={Kernel}";
}
