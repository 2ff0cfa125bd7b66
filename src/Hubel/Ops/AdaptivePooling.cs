using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Adaptive pooling: a fixed output size for any input size. Output cell i along a dimension of input
/// size n and output size m pools PyTorch's window [floor(i·n/m), ceil((i+1)·n/m)). Global pooling is adaptive
/// pooling to 1×1; spatial pyramid pooling concatenates adaptive max pooling at several sizes.</summary>
public static partial class F
{
    /// <summary>Adaptive average pooling [N, C, H, W] → [N, C, outputSize.H, outputSize.W].</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, Size2 outputSize)
    {
        var (n, c, h, w) = AdaptiveShape(input, outputSize);
        int oh = outputSize.H, ow = outputSize.W, planes = n * c;
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([n, c, oh, ow], input.DType);
        if (x.DType == DType.Float32) AdaptivePoolKernels.AvgForward<float>(Mem<float>(x), MutMem<float>(y), planes, h, w, oh, ow);
        else AdaptivePoolKernels.AvgForward<double>(Mem<double>(x), MutMem<double>(y), planes, h, w, oh, ow);
        return Graph.Record(y, "adaptive_avg_pool2d", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) AdaptivePoolKernels.AvgBackward<float>(Mem<float>(dy), MutMem<float>(dx), planes, h, w, oh, ow);
            else AdaptivePoolKernels.AvgBackward<double>(Mem<double>(dy), MutMem<double>(dx), planes, h, w, oh, ow);
            return [dx];
        });
    }

    /// <summary>Adaptive max pooling [N, C, H, W] → [N, C, outputSize.H, outputSize.W].</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, Size2 outputSize) => AdaptiveMaxCore(input, outputSize, "adaptive_max_pool2d").Values;

    /// <summary>Adaptive max pooling that also returns, for every output, the flat index h·W + w of its maximum
    /// within its H×W plane (PyTorch's return_indices), as a float64 tensor of whole numbers shaped like the values.</summary>
    public static (Tensor Values, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, Size2 outputSize)
    {
        var (values, argmax) = AdaptiveMaxCore(input, outputSize, "adaptive_max_pool2d_with_indices");
        return (values, IndexTensor(argmax, values.ShapeArray));
    }

    /// <summary>Adaptive average pooling [N, C, L] → [N, C, outputSize] (2-D pooling of the [N, C, 1, L] view).</summary>
    public static Tensor AdaptiveAvgPool1d(Tensor input, int outputSize)
    {
        int l = Adaptive1dCheck(input, outputSize);
        var y = AdaptiveAvgPool2d(input.Reshape(input.Size(0), input.Size(1), 1, l), (1, outputSize));
        return y.Reshape(y.Size(0), y.Size(1), outputSize);
    }

    /// <summary>Adaptive max pooling [N, C, L] → [N, C, outputSize].</summary>
    public static Tensor AdaptiveMaxPool1d(Tensor input, int outputSize)
    {
        int l = Adaptive1dCheck(input, outputSize);
        var y = AdaptiveMaxPool2d(input.Reshape(input.Size(0), input.Size(1), 1, l), (1, outputSize));
        return y.Reshape(y.Size(0), y.Size(1), outputSize);
    }

    /// <summary>Global average pooling [N, C, H, W] → [N, C, 1, 1]: the mean over H and W.</summary>
    public static Tensor GlobalAvgPool2d(Tensor input) => AdaptiveAvgPool2d(input, 1);

    /// <summary>Global max pooling [N, C, H, W] → [N, C, 1, 1].</summary>
    public static Tensor GlobalMaxPool2d(Tensor input) => AdaptiveMaxPool2d(input, 1);

    /// <summary>Spatial pyramid pooling (the notes' SPP, He et al. 2014): adaptive max pooling of [N, C, H, W] to
    /// l×l for each level l, each flattened to [N, C·l·l] and concatenated in level order: [N, C·Σ l²] whatever H and W
    /// (levels [1, 2, 4] → C·21). Level 1 is global max pooling.</summary>
    public static Tensor SpatialPyramidPool(Tensor input, int[] levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Length == 0) throw new ArgumentException("levels must name at least one pyramid level", nameof(levels));
        foreach (int l in levels)
            if (l < 1) throw new ArgumentOutOfRangeException(nameof(levels), $"every level must be >= 1; got {l}");
        foreach (int l in levels) AdaptiveShape(input, l);
        var x = input.Detach().Contiguous();
        int n = x.Size(0), c = x.Size(1), h = x.Size(2), w = x.Size(3);
        long total = 0;
        foreach (int l in levels) total += (long)c * l * l;
        if (total > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(levels), $"C·Σ l² = {total} features do not fit one tensor row");
        var y = Tensor.Empty([n, (int)total], input.DType);
        var argmaxes = new int[levels.Length][];
        if (x.DType == DType.Float32) SppForward<float>(x, y, levels, argmaxes);
        else SppForward<double>(x, y, levels, argmaxes);
        return Graph.Record(y, "spatial_pyramid_pool", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) SppBackward<float>(dy, dx, levels, argmaxes);
            else SppBackward<double>(dy, dx, levels, argmaxes);
            return [dx];
        });
    }

    private static void SppForward<T>(Tensor x, Tensor y, int[] levels, int[][] argmaxes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Size(0), c = x.Size(1), h = x.Size(2), w = x.Size(3), total = y.Size(1), offset = 0;
        var ys = y.Data<T>();
        for (int k = 0; k < levels.Length; k++)
        {
            int l = levels[k], block = c * l * l;
            var level = new T[n * block];
            argmaxes[k] = new int[level.Length];
            AdaptivePoolKernels.MaxForward<T>(Mem<T>(x), level, argmaxes[k], n * c, h, w, l, l);
            for (int i = 0; i < n; i++) Array.Copy(level, i * block, ys, y.Offset + i * total + offset, block);
            offset += block;
        }
    }

    private static void SppBackward<T>(Tensor dy, Tensor dx, int[] levels, int[][] argmaxes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = dx.Size(0), c = dx.Size(1), hw = dx.Size(2) * dx.Size(3), total = dy.Size(1), offset = 0;
        var dys = dy.Data<T>();
        for (int k = 0; k < levels.Length; k++)
        {
            int l = levels[k], block = c * l * l;
            var level = new T[n * block];
            for (int i = 0; i < n; i++) Array.Copy(dys, dy.Offset + i * total + offset, level, i * block, block);
            Pool3dKernels.ScatterArgmax<T>(level, argmaxes[k], MutMem<T>(dx), n * c, hw, l * l);
            offset += block;
        }
    }

    private static (Tensor Values, int[] Argmax) AdaptiveMaxCore(Tensor input, Size2 outputSize, string name)
    {
        var (n, c, h, w) = AdaptiveShape(input, outputSize);
        int oh = outputSize.H, ow = outputSize.W, planes = n * c;
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([n, c, oh, ow], input.DType);
        var argmax = new int[y.Numel];
        if (x.DType == DType.Float32) AdaptivePoolKernels.MaxForward<float>(Mem<float>(x), MutMem<float>(y), argmax, planes, h, w, oh, ow);
        else AdaptivePoolKernels.MaxForward<double>(Mem<double>(x), MutMem<double>(y), argmax, planes, h, w, oh, ow);
        var values = Graph.Record(y, name, [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) Pool3dKernels.ScatterArgmax<float>(Mem<float>(dy), argmax, MutMem<float>(dx), planes, h * w, oh * ow);
            else Pool3dKernels.ScatterArgmax<double>(Mem<double>(dy), argmax, MutMem<double>(dx), planes, h * w, oh * ow);
            return [dx];
        });
        return (values, argmax);
    }

    /// <summary>Indices as a float64 tensor of whole numbers (Hubel has no integer dtype; exact below 2^53).</summary>
    private static Tensor IndexTensor(int[] indices, int[] shape) => Tensor.FromArray(Array.ConvertAll(indices, i => (double)i), shape);

    private static (int N, int C, int H, int W) AdaptiveShape(Tensor input, Size2 outputSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        outputSize.AtLeast(1, nameof(outputSize));
        if (input.Size(2) < 1 || input.Size(3) < 1)
            throw new ArgumentException($"input height and width must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        return (input.Size(0), input.Size(1), input.Size(2), input.Size(3));
    }

    private static int Adaptive1dCheck(Tensor input, int outputSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3) throw new ArgumentException($"input must be [N, C, L]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (outputSize < 1) throw new ArgumentOutOfRangeException(nameof(outputSize), $"outputSize must be >= 1; got {outputSize}");
        if (input.Size(2) < 1) throw new ArgumentException($"input length must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        return input.Size(2);
    }
}
